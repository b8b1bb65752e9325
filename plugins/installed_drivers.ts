/**
 * Installed third-party drivers under `LIMA_HOME/_drivers`: remote modules are downloaded
 * once to `_drivers/<sha256>/mod.<ext>` and pinned by that digest; `drivers.json` records
 * every installed driver with its location, digest and the permissions the user granted.
 */
import { extname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { readRegularText } from "../core/config/read_file.ts";
import { errorMessage, LimaError } from "../core/errors.ts";
import { logger } from "../core/log.ts";
import { quote } from "../core/quote.ts";
import { readCapped } from "../core/read_capped.ts";
import { shellQuote } from "../core/shell_quote.ts";
import { writeFileAtomic } from "../core/store/atomic_write.ts";
import type {
  DriverManifest,
  DriverPermissions,
  DriverValidation,
} from "./contract.ts";
import {
  DEFAULT_FETCH_LIMITS,
  type FetchedModule,
  type FetchLimits,
  fetchModule,
} from "./fetch_module.ts";
import { sandboxPaths } from "./sandbox.ts";
import { readManifest } from "./worker_driver.ts";

export interface DriverRecord {
  name: string;
  /** The URL or absolute path it was installed from. */
  location: string;
  /** The module on disk that is imported. */
  file: string;
  /** Pinned digest of a downloaded module (absent for local paths, which are used as they are). */
  sha256?: string;
  contractVersion: string;
  /** The permissions granted at install time. */
  permissions: DriverPermissions;
  /** The manifest's validation rules, so validating needs no Worker. */
  validation?: DriverValidation;
  installedAt: string;
}

interface RecordFile {
  drivers: DriverRecord[];
}

export interface InstallOptions {
  /** Expected sha256 (hex) of a remote module; pinned up front instead of on first download. */
  sha256?: string;
  /** Permissions to grant; defaults to what the manifest declares. */
  grant?: DriverPermissions;
  /** Names that cannot be taken (the built-in drivers). */
  reserved?: string[];
  /**
   * Asked once the manifest is read, before anything is recorded: true to install. It may
   * throw to refuse with its own message. Without it the driver is installed.
   */
  confirm?: (
    manifest: DriverManifest,
    record: DriverRecord,
  ) => Promise<boolean>;
  /** Limits of the download (see `fetch_module.ts`). */
  fetchLimits?: FetchLimits;
  /** How long the module's top level may run while its manifest is read (default 10 s). */
  manifestTimeoutMs?: number;
}

export interface InstallResult {
  record: DriverRecord;
  manifest: DriverManifest;
  /** Whether the module was downloaded now (false when the pinned copy was already cached). */
  downloaded: boolean;
}

/** Record files already reported as damaged, so each is reported once. */
const reportedDamaged = new Set<string>();

/** A URL scheme (`https:`, `file:`, `npm:`); two letters at least, so `C:\\` stays a path. */
const SCHEME = /^[a-z][a-z0-9+.-]+:/i;

/** Schemes a driver can be installed from. */
const INSTALLABLE = /^(https?|file):/i;

/** Whether a `vmType` value names a module (URL, specifier or path) rather than a driver name. */
export function isModuleLocation(value: string): boolean {
  return SCHEME.test(value) || value.includes("/") || value.includes("\\") ||
    /\.(m?js|m?ts)$/.test(value);
}

/** Whether LOCATION (see `isModuleLocation`) is one a driver can be installed from. */
export function isInstallableLocation(location: string): boolean {
  return !SCHEME.test(location) || INSTALLABLE.test(location);
}

/**
 * A URL as given, or a normalized absolute path for anything else (`file:` URLs, relative
 * paths, `//` and `..`), so every spelling of one file names the same installed driver.
 */
export function normalizeLocation(location: string): string {
  try {
    if (/^https?:/i.test(location)) return new URL(location).href;
    if (/^file:/i.test(location)) return resolve(fileURLToPath(location));
  } catch (err) {
    throw new LimaError({
      summary: `driver location ${quote(location)} is not a valid URL`,
      detail: errorMessage(err),
    });
  }
  if (SCHEME.test(location)) {
    throw new LimaError({
      summary: `driver location ${quote(location)} is not supported`,
      hint: "use an https:// URL or a local path",
    });
  }
  return resolve(location);
}

/** LOCATION normalized; undefined when it cannot be (it names nothing installable). */
function normalizedOrUndefined(location: string): string | undefined {
  try {
    return normalizeLocation(location);
  } catch {
    return undefined;
  }
}

/** Whether RECORD was installed from the normalized LOCATION (however it was written then). */
function installedFrom(record: DriverRecord, location: string): boolean {
  return record.location === location ||
    normalizedOrUndefined(record.location) === location;
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest(
    "SHA-256",
    bytes as Uint8Array<ArrayBuffer>,
  );
  return Array.from(
    new Uint8Array(digest),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
}

function checkPin(value: string): string {
  const hex = value.replace(/^sha256:/, "").toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(hex)) {
    throw new LimaError({
      summary: `invalid sha256 ${quote(value)}`,
      detail: "expected 64 hex digits",
    });
  }
  return hex;
}

export class DriverStore {
  readonly dir: string;
  readonly #limaHome: string;

  constructor(limaHome: string) {
    this.#limaHome = limaHome;
    this.dir = join(limaHome, "_drivers");
  }

  get #recordPath(): string {
    return join(this.dir, "drivers.json");
  }

  /**
   * The installed drivers. A damaged record file is reported once and read as empty, so the
   * built-in drivers keep working.
   */
  async records(): Promise<DriverRecord[]> {
    const read = await this.#read();
    if (read.damaged && !reportedDamaged.has(this.#recordPath)) {
      reportedDamaged.add(this.#recordPath);
      logger.warn(
        `Ignoring the damaged driver records ${this.#recordPath} (${read.damaged}); third-party drivers are unavailable until it is repaired or removed`,
      );
    }
    return read.records;
  }

  /**
   * The records as read; a file that is not a regular one (a FIFO, `/dev/zero`), too large,
   * or not a list of records is damaged and never read (or waited on) past its size cap.
   */
  async #read(): Promise<{ records: DriverRecord[]; damaged?: string }> {
    let text: string;
    try {
      text = await readRegularText(this.#recordPath);
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return { records: [] };
      return { records: [], damaged: errorMessage(err) };
    }
    try {
      const drivers = (JSON.parse(text) as Partial<RecordFile>)?.drivers;
      if (!Array.isArray(drivers) || !drivers.every(isRecord)) {
        return { records: [], damaged: "not a list of driver records" };
      }
      return { records: drivers };
    } catch (err) {
      return { records: [], damaged: errorMessage(err) };
    }
  }

  /** The records to change; refuses a damaged file rather than overwrite what it holds. */
  async #recordsToUpdate(): Promise<DriverRecord[]> {
    const read = await this.#read();
    if (read.damaged) {
      throw new LimaError({
        summary: "the driver records are damaged",
        file: this.#recordPath,
        detail: read.damaged,
        hint:
          "repair the file, or move it aside to start again with no third-party drivers",
      });
    }
    return read.records;
  }

  /**
   * The record for a driver name or an install location, however the location is spelled
   * (`./mod.ts`, `/dir//mod.ts`, `file:///dir/mod.ts`); none for a location nothing can be
   * installed from (`npm:foo`).
   */
  async find(nameOrLocation: string): Promise<DriverRecord | undefined> {
    const records = await this.records();
    if (!isModuleLocation(nameOrLocation)) {
      return records.find((r) => r.name === nameOrLocation);
    }
    const location = normalizedOrUndefined(nameOrLocation);
    if (location === undefined) return undefined;
    return records.find((r) => installedFrom(r, location));
  }

  async #save(records: DriverRecord[]): Promise<void> {
    const body: RecordFile = {
      drivers: records.toSorted((a, b) => a.name.localeCompare(b.name)),
    };
    await Deno.mkdir(this.dir, { recursive: true });
    await writeFileAtomic(
      this.#recordPath,
      JSON.stringify(body, null, 2) + "\n",
    );
  }

  /** Downloads (once) or locates a driver module, reads its manifest and records the grant. */
  async install(
    rawLocation: string,
    options: InstallOptions = {},
  ): Promise<InstallResult> {
    const location = normalizeLocation(rawLocation);
    const existing = (await this.#recordsToUpdate()).find((r) =>
      installedFrom(r, location)
    );
    let file: string;
    let sha256: string | undefined;
    let downloaded = false;
    if (/^https?:\/\//.test(location)) {
      const pin = options.sha256 ? checkPin(options.sha256) : existing?.sha256;
      const cached = pin ? await this.#cachedModule(pin) : undefined;
      if (cached) {
        file = cached;
        sha256 = pin;
      } else {
        ({ file, sha256 } = await this.#download(
          location,
          pin,
          options.fetchLimits,
        ));
        downloaded = true;
      }
    } else {
      file = location;
      try {
        if (!(await Deno.stat(file)).isFile) {
          throw new Error("not a regular file");
        }
      } catch (err) {
        throw new LimaError({
          summary: `cannot read driver module ${quote(location)}`,
          detail: errorMessage(err),
        });
      }
    }
    try {
      return await this.#record(location, file, sha256, options, downloaded);
    } catch (err) {
      if (downloaded && !(await this.records()).some((r) => r.file === file)) {
        await Deno.remove(join(this.dir, sha256!), { recursive: true })
          .catch(() => {});
      }
      throw err;
    }
  }

  async #record(
    location: string,
    file: string,
    sha256: string | undefined,
    options: InstallOptions,
    downloaded: boolean,
  ): Promise<InstallResult> {
    const manifest = await readManifest(
      file,
      location,
      options.manifestTimeoutMs,
    );
    if (options.reserved?.includes(manifest.name)) {
      throw new LimaError({
        summary: `driver name ${
          quote(manifest.name)
        } is taken by a built-in driver`,
        file: location,
      });
    }
    const clash = (await this.#recordsToUpdate()).find((r) =>
      r.name === manifest.name && !installedFrom(r, location)
    );
    if (clash) {
      throw new LimaError({
        summary: `a driver named ${
          quote(manifest.name)
        } is already installed from ${quote(clash.location)}`,
        hint: `remove it first with \`limactl driver remove ${manifest.name}\``,
      });
    }
    const record: DriverRecord = {
      name: manifest.name,
      location,
      file,
      ...(sha256 ? { sha256 } : {}),
      contractVersion: String(manifest.contractVersion),
      permissions: options.grant ?? manifest.permissions ?? {},
      ...(manifest.validation ? { validation: manifest.validation } : {}),
      installedAt: new Date().toISOString(),
    };
    await sandboxPaths(record.permissions, {
      limaHome: this.#limaHome,
      driverName: record.name,
    });
    if (options.confirm && !(await options.confirm(manifest, record))) {
      throw new LimaError({
        summary: `driver ${quote(manifest.name)} was not installed`,
        detail: "the installation was not confirmed",
      });
    }
    const records = (await this.#recordsToUpdate()).filter((r) =>
      !installedFrom(r, location)
    );
    await this.#save([...records, record]);
    return { record, manifest, downloaded };
  }

  /** Removes a driver's record and its cached download; false when it was not installed. */
  async remove(nameOrLocation: string): Promise<boolean> {
    const records = await this.#recordsToUpdate();
    const record = await this.find(nameOrLocation);
    if (!record) return false;
    await this.#save(records.filter((r) => r.location !== record.location));
    if (record.sha256) {
      await Deno.remove(join(this.dir, record.sha256), { recursive: true })
        .catch(() => {});
    }
    return true;
  }

  /**
   * Checks before a module is imported that it is a regular file and, when downloaded, still
   * the pinned one.
   */
  async verify(record: DriverRecord): Promise<void> {
    let actual: string | undefined;
    try {
      if (!record.sha256) {
        if (!(await Deno.stat(record.file)).isFile) {
          throw new Error("not a regular file");
        }
        return;
      }
      actual = await sha256Hex(await readModuleFile(record.file));
    } catch (err) {
      throw new LimaError({
        summary: `the ${record.sha256 ? "cached " : ""}module of driver ${
          quote(record.name)
        } cannot be read`,
        file: record.file,
        detail: errorMessage(err),
        hint: `install it again with \`limactl driver install ${
          shellQuote(record.location)
        }\``,
      });
    }
    if (actual !== record.sha256) {
      throw new LimaError({
        summary: `the cached module of driver ${
          quote(record.name)
        } was modified`,
        file: record.file,
        detail: `expected sha256 ${record.sha256}, got ${actual}`,
        hint:
          `remove it with \`limactl driver remove ${record.name}\` and install it again`,
      });
    }
  }

  /** The module downloaded earlier with digest SHA256, if it is still intact. */
  async #cachedModule(sha256: string): Promise<string | undefined> {
    for (const ext of MODULE_EXTENSIONS) {
      const file = join(this.dir, sha256, `mod${ext}`);
      try {
        if ((await sha256Hex(await readModuleFile(file))) === sha256) {
          return file;
        }
      } catch {
        // Not cached with this extension (or unreadable): try the next one.
      }
    }
    return undefined;
  }

  async #download(
    url: string,
    pin: string | undefined,
    limits: FetchLimits | undefined,
  ): Promise<{ file: string; sha256: string }> {
    const fetched = await fetchModule(url, limits);
    const { bytes } = fetched;
    const sha256 = await sha256Hex(bytes);
    if (pin && sha256 !== pin) {
      throw new LimaError({
        summary: `the driver downloaded from ${
          quote(url)
        } does not match its pinned sha256`,
        detail: `expected ${pin}, got ${sha256}`,
        hint:
          "the file changed on the server or in transit; it was not installed",
      });
    }
    const file = join(this.dir, sha256, `mod${moduleExtension(url, fetched)}`);
    await Deno.mkdir(join(this.dir, sha256), { recursive: true });
    await writeFileAtomic(file, bytes);
    return { file, sha256 };
  }
}

function isRecord(value: unknown): value is DriverRecord {
  const r = value as Partial<DriverRecord> | null;
  return typeof r?.name === "string" && typeof r.location === "string" &&
    typeof r.file === "string";
}

/** The extensions a module is cached with; Deno compiles the TypeScript ones. */
const MODULE_EXTENSIONS = [".ts", ".mts", ".js", ".mjs"];

/** What each `Content-Type` Deno knows for modules means (the rest: by extension). */
const CONTENT_TYPES: Record<string, string> = {
  "application/typescript": ".ts",
  "application/x-typescript": ".ts",
  "text/typescript": ".ts",
  "text/x-typescript": ".ts",
  "video/mp2t": ".ts",
  "video/vnd.dlna.mpeg-tts": ".ts",
  "application/javascript": ".js",
  "application/x-javascript": ".js",
  "application/ecmascript": ".js",
  "text/javascript": ".js",
  "text/ecmascript": ".js",
};

/**
 * The extension to cache a download with, so that TypeScript is compiled: the one of the URL
 * asked for, else of the URL finally answered after redirects (a `/latest` link to
 * `mod.ts`), else what its `Content-Type` says, else `.js`.
 */
function moduleExtension(url: string, fetched: FetchedModule): string {
  for (const candidate of [url, fetched.url]) {
    const ext = extname(new URL(candidate).pathname).toLowerCase();
    if (MODULE_EXTENSIONS.includes(ext)) return ext;
  }
  const type = fetched.contentType?.split(";")[0].trim().toLowerCase() ?? "";
  return CONTENT_TYPES[type] ?? ".js";
}

/**
 * The bytes of a module file: a regular file only (a FIFO would block, a device never end),
 * no larger than a download may be.
 */
async function readModuleFile(path: string): Promise<Uint8Array> {
  const maxBytes = DEFAULT_FETCH_LIMITS.maxBytes;
  const tooLarge = () => new Error(`larger than ${maxBytes} bytes`);
  const info = await Deno.stat(path);
  if (!info.isFile) throw new Error("not a regular file");
  if (info.size > maxBytes) throw tooLarge();
  const file = await Deno.open(path);
  return await readCapped(file.readable, maxBytes, tooLarge);
}
