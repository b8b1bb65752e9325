/**
 * The autostart entries' text (Lima's templates `pkg/autostart/systemd/lima-vm@INSTANCE.service`,
 * `pkg/autostart/launchd/io.lima-vm.autostart.INSTANCE.plist` and
 * `io.lima-vm.daemon.INSTANCE.plist`): byte for byte what Lima writes when the program is one
 * executable. Lima fills in `os.Executable()` raw; here the program may be several words (`deno
 * run … main.ts` from a checkout, see `autostartProgram`), each quoted for the format it goes
 * into, which leaves a plain path unchanged.
 */

/** What an entry needs: the command line that runs this program, the instance and its directory. */
export interface EntryData {
  /** This program's command line (`autostartProgram()`): one executable, or `deno run … main.ts`. */
  program: string[];
  instance: string;
  /** The instance directory (launchd's `WorkingDirectory`). */
  workDir: string;
}

/** Words of an `ExecStart=` line that systemd takes as they are (no quoting, escapes or specifiers). */
const SYSTEMD_PLAIN = /^[A-Za-z0-9_@+=:,./-]+$/;

/**
 * ARG as one word of a systemd command line (systemd.service(5), "Command lines"): `%` doubled
 * (unit specifiers) and `$` doubled (variable expansion) everywhere; a word with anything else
 * than plain characters is double-quoted with C escapes.
 */
export function systemdWord(arg: string): string {
  const literal = arg.replaceAll("%", "%%").replaceAll("$", () => "$$");
  if (SYSTEMD_PLAIN.test(arg)) return literal;
  const escaped = literal.replace(
    /[\\"\n\t\r]/g,
    (c) =>
      ({ "\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r" })[c]!,
  );
  return `"${escaped}"`;
}

/** TEXT as XML character data (a plist `<string>`). */
export function xmlText(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(
    ">",
    "&gt;",
  );
}

/**
 * The systemd user unit `lima-vm@.service` of instance `%i`: the instance comes from the unit's
 * name (`lima-vm@NAME.service`), so only the program varies.
 */
export function systemdUnit(data: Pick<EntryData, "program">): string {
  const program = data.program.map(systemdWord).join(" ");
  return `[Unit]
Description=Lima - Linux virtual machines, with a focus on running containers.
Documentation=man:lima(1)

[Service]
ExecStart=${program} start %i --foreground
WorkingDirectory=%h
Type=simple
TimeoutSec=10
Restart=on-failure

[Install]
WantedBy=default.target
`;
}

/** A launchd plist that runs `PROGRAM start INSTANCE --foreground` at load. */
function launchdPlist(
  data: EntryData,
  label: string,
  userName?: string,
): string {
  const args = [...data.program, "start", data.instance, "--foreground"]
    .map((arg) => `\t\t<string>${xmlText(arg)}</string>\n`).join("");
  const user = userName === undefined
    ? ""
    : `\t<key>UserName</key>\n\t<string>${xmlText(userName)}</string>\n`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>Label</key>
	<string>${xmlText(label)}</string>
${user}	<key>ProgramArguments</key>
	<array>
${args}	</array>
	<key>RunAtLoad</key>
	<true/>
	<key>StandardErrorPath</key>
	<string>launchd.stderr.log</string>
	<key>StandardOutPath</key>
	<string>launchd.stdout.log</string>
	<key>WorkingDirectory</key>
	<string>${xmlText(data.workDir)}</string>
	<key>ProcessType</key>
	<string>Background</string>
</dict>
</plist>
`;
}

/** The LaunchAgent `io.lima-vm.autostart.NAME` (started at the user's login). */
export function launchAgentPlist(data: EntryData): string {
  return launchdPlist(data, launchAgentLabel(data.instance));
}

/** The LaunchDaemon `io.lima-vm.daemon.NAME` (started at boot, running as USERNAME). */
export function launchDaemonPlist(data: EntryData, userName: string): string {
  return launchdPlist(data, launchDaemonLabel(data.instance), userName);
}

/** The systemd unit of instance NAME (Lima's `UnitNameFrom`). */
export function systemdUnitName(name: string): string {
  return `lima-vm@${name}.service`;
}

/** The LaunchAgent's label (Lima's `launchd.ServiceNameFrom`). */
export function launchAgentLabel(name: string): string {
  return `io.lima-vm.autostart.${name}`;
}

/** The LaunchDaemon's label (Lima's `launchd.DaemonServiceNameFrom`). */
export function launchDaemonLabel(name: string): string {
  return `io.lima-vm.daemon.${name}`;
}
