/**
 * The `user-data` cloud-config of the seed for Linux guests (Lima's
 * `pkg/cidata/cidata.TEMPLATE.d/user-data`).
 */
import { Document, isSeq, Scalar } from "yaml";
import type { GuestNic } from "./network_config.ts";

/** The cidata volume is mounted here in the guest before `boot.sh` runs. */
export const CIDATA_MOUNT_POINT = "/mnt/lima-cidata";
/** cloud-init runs every executable in this directory at every boot. */
export const PER_BOOT_SCRIPT =
  "/var/lib/cloud/scripts/per-boot/00-lima.boot.sh";

/** One kernel mount (9p or virtiofs), turned into an fstab entry by cloud-init. */
export interface KernelMount {
  tag: string;
  mountPoint: string;
  type: string;
  options: string;
}

/** The guest user, with every default resolved. */
export interface GuestUser {
  name: string;
  uid: number;
  comment: string;
  home: string;
  shell: string;
  passwordlessSudo: boolean;
}

export interface UserDataInput {
  user: GuestUser;
  sshPublicKeys: string[];
  upgradePackages: boolean;
  /** 9p/virtiofs mounts; empty for reverse-sshfs and in `cloud-config.yaml`. */
  mounts: KernelMount[];
  /** Mount the vz Rosetta share. */
  rosetta: boolean;
  /** Written to `resolv_conf`; empty in `cloud-config.yaml`. */
  dnsAddresses: string[];
  /** `ca_certs`, or undefined when no certificate is configured. */
  caCerts?: { removeDefaults: boolean; trusted: string[] };
  /** NICs to rename by MAC at boot (only when the instance has `networks`). */
  renameNics: GuestNic[];
  /** Scripts of `boot` provisions, in order. */
  bootScripts: string[];
  /** `param` values, exported as `PARAM_<key>` before each boot script. */
  params: Record<string, string>;
}

/** Lets rootless container engines use every cgroup controller. */
const USER_MANAGER_DROPIN = "[Service]\nDelegate=yes\n";

/** Lets `limactl shell` pass the host terminal's COLORTERM. */
const COLORTERM_DROPIN = "AcceptEnv COLORTERM\n";

/**
 * Starts the per-boot script as soon as cloud-init's network stage (users, keys, write_files,
 * CA certificates, mounts) is done, instead of after its config and final stages, whose Python
 * start-up alone costs an emulated CPU seconds each: a transient unit queued from bootcmd.
 * cloud-final's own run of the script then does nothing. The boot scripts, which READY waits
 * for last, get a high CPU weight, and the config stage, which nothing before READY needs, a
 * low one; sshd and the host's logins keep the default. Package installs and provisions still
 * wait for the config stage (util/wait_provision_ready.sh, which restores its weight). Not
 * with `upgradePackages`, which cloud-final does and the boot scripts must come after.
 */
const EARLY_BOOT_COMMAND =
  `if [ -d /run/systemd/system ] && command -v systemd-run >/dev/null 2>&1; then
  systemd-run --no-block --quiet --unit=lima-boot --property=After=cloud-init.service \\
    --property=CPUWeight=500 --setenv=LIMA_BOOT_EARLY=1 /bin/sh -c '
      systemctl set-property --runtime cloud-config.service CPUWeight=10 2>/dev/null
      exec ${PER_BOOT_SCRIPT} >>/var/log/cloud-init-output.log 2>&1' || true
fi
`;

/** How the boot scripts mount the seed: read-only, readable by root only. */
const MOUNT_SEED = `mkdir -p -m 700 "$LIMA_CIDATA_MNT"
if ! mountpoint -q "$LIMA_CIDATA_MNT"; then
  mount -o ro,mode=0700,dmode=0700,overriderockperm,exec,uid=0 "$LIMA_CIDATA_DEV" "$LIMA_CIDATA_MNT"
fi`;

/**
 * Puts the instance's environment into /etc/environment from bootcmd, before sshd starts, by
 * running the boot script that does it. Otherwise that script, run later by boot.sh, changes
 * the file after the host agent's first login and must end that session, which then costs the
 * host a new login (seconds on an emulated CPU); now it finds nothing to change.
 */
const ENVIRONMENT_COMMAND = `(
  LIMA_CIDATA_MNT="${CIDATA_MOUNT_POINT}"
  LIMA_CIDATA_DEV="/dev/disk/by-label/cidata"
  ${MOUNT_SEED.replaceAll("\n", "\n  ")}
  while IFS= read -r line; do
    case $line in LIMA_CIDATA_USER=* | LIMA_CIDATA_UID=* | LIMA_CIDATA_IID=*) export "$line" ;; esac
  done <"$LIMA_CIDATA_MNT/lima.env"
  LIMA_CIDATA_MNT="$LIMA_CIDATA_MNT" "$LIMA_CIDATA_MNT/boot.Linux/07-etc-environment.sh"
) || true
`;

const PER_BOOT_CONTENT = `#!/bin/sh
set -eu
# Whichever start comes first runs the boot scripts: the early unit or cloud-final.
mkdir /run/lima-boot-started 2>/dev/null || exit 0
LIMA_CIDATA_MNT="${CIDATA_MOUNT_POINT}"
LIMA_CIDATA_DEV="/dev/disk/by-label/cidata"
${MOUNT_SEED}
export LIMA_CIDATA_MNT
exec "$LIMA_CIDATA_MNT/boot.sh"
`;

/** Lines `PARAM_<key>=<value>`, sorted by key as in `param.env`. */
function paramLines(params: Record<string, string>): string[] {
  return Object.keys(params).sort().map((key) => `PARAM_${key}=${params[key]}`);
}

/** The seed is not mounted while `bootcmd` runs, so the parameters travel in a here-document. */
function bootCommand(script: string, params: Record<string, string>): string {
  return [
    'while read -r line; do [ -n "$line" ] && export "$line"; done <<\'LIMA_PARAM_EOF\'',
    ...paramLines(params),
    "LIMA_PARAM_EOF",
    script.endsWith("\n") ? script : script + "\n",
  ].join("\n");
}

/** Interfaces can come up under a kernel name; rename them by MAC, then wait for eth0's IPv4. */
function renameCommand(nics: GuestNic[]): string {
  return [
    "rename_nic() {",
    "  for dev in /sys/class/net/*; do",
    '    [ "$(cat "$dev/address" 2>/dev/null)" = "$1" ] || continue',
    '    [ "${dev##*/}" = "$2" ] && return 0',
    '    ip link set dev "${dev##*/}" down && ip link set dev "${dev##*/}" name "$2" && ip link set dev "$2" up',
    "    return 0",
    "  done",
    "}",
    "if command -v ip >/dev/null 2>&1; then",
    ...nics.map((nic) =>
      `  rename_nic '${nic.macAddress}' '${nic.interface}' || true`
    ),
    "  i=0",
    "  while [ \"$i\" -lt 30 ] && ! ip -4 addr show dev eth0 2>/dev/null | grep -q 'inet '; do",
    "    sleep 1",
    "    i=$((i + 1))",
    "  done",
    "fi",
    "",
  ].join("\n");
}

function scalar(value: string, type: Scalar.Type): Scalar {
  const node = new Scalar(value);
  node.type = type;
  return node;
}

/** Renders `user-data`; YAML 1.1 quoting because cloud-init parses it with PyYAML. */
export function renderUserData(input: UserDataInput): string {
  const doc = new Document({}, { version: "1.1" });
  const set = (key: string, value: unknown) =>
    doc.set(key, value instanceof Scalar ? value : doc.createNode(value));

  set("growpart", { mode: "auto", devices: ["/"] });
  if (input.upgradePackages) {
    set("package_update", true);
    set("package_upgrade", true);
    set("package_reboot_if_required", true);
  }
  const mountRows: string[][] = [];
  if (input.rosetta) {
    mountRows.push([
      "vz-rosetta",
      "/mnt/lima-rosetta",
      "virtiofs",
      "defaults",
      "0",
      "0",
    ]);
  }
  for (const m of input.mounts) {
    mountRows.push([m.tag, m.mountPoint, m.type, m.options, "0", "0"]);
  }
  if (mountRows.length > 0) {
    const rows = doc.createNode(mountRows);
    if (isSeq(rows)) {
      for (const row of rows.items) {
        if (!isSeq(row)) continue;
        row.flow = true;
        for (const [i, cell] of row.items.entries()) {
          if (i >= 3 && cell instanceof Scalar) cell.type = "QUOTE_DOUBLE";
        }
      }
    }
    set("mounts", rows);
  }

  const { user } = input;
  const entry = {
    name: scalar(user.name, "QUOTE_DOUBLE"),
    uid: scalar(String(user.uid), "QUOTE_DOUBLE"),
    ...(user.comment ? { gecos: user.comment } : {}),
    homedir: scalar(user.home, "QUOTE_DOUBLE"),
    shell: user.shell,
    sudo: user.passwordlessSudo ? "ALL=(ALL) NOPASSWD:ALL" : "ALL=(ALL) ALL",
    lock_passwd: user.passwordlessSudo,
    "ssh-authorized-keys": input.sshPublicKeys.map((key) =>
      scalar(key, "QUOTE_DOUBLE")
    ),
  };
  set("users", [entry]);

  set("write_files", [{
    content: scalar(PER_BOOT_CONTENT, "BLOCK_LITERAL"),
    owner: "root:root",
    path: PER_BOOT_SCRIPT,
    permissions: "0755",
  }, {
    // boot.Linux/00-user-manager.sh writes it too, but only here, before the first login
    // loads the user's manager, does it take effect without a slow daemon-reload.
    content: USER_MANAGER_DROPIN,
    owner: "root:root",
    path: "/etc/systemd/system/user@.service.d/lima.conf",
    permissions: "0644",
  }, {
    // boot.Linux/11-colorterm-environment.sh writes it too, but only here, before sshd starts,
    // does it take effect without reloading sshd while the host logs in.
    content: COLORTERM_DROPIN,
    owner: "root:root",
    path: "/etc/ssh/sshd_config.d/99-lima-colorterm.conf",
    permissions: "0644",
  }]);

  if (input.dnsAddresses.length > 0) {
    set("manage_resolv_conf", true);
    set("resolv_conf", { nameservers: input.dnsAddresses });
  }
  if (input.caCerts) {
    set("ca_certs", {
      remove_defaults: input.caCerts.removeDefaults,
      ...(input.caCerts.trusted.length > 0
        ? {
          trusted: input.caCerts.trusted.map((pem) =>
            scalar(pem, "BLOCK_LITERAL")
          ),
        }
        : {}),
    });
  }
  const commands = [
    ENVIRONMENT_COMMAND,
    ...(input.upgradePackages ? [] : [EARLY_BOOT_COMMAND]),
    ...(input.renameNics.length > 0 ? [renameCommand(input.renameNics)] : []),
    ...input.bootScripts.map((script) => bootCommand(script, input.params)),
  ];
  if (commands.length > 0) {
    set("bootcmd", commands.map((c) => scalar(c, "BLOCK_LITERAL")));
  }
  return "#cloud-config\n" + doc.toString({ lineWidth: 0 });
}
