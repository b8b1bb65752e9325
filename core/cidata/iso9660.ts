import { LimaError } from "../errors.ts";

/** One file to put into the image; directories are implied by the paths. */
export interface IsoFile {
  /** Relative path with `/` separators, e.g. `user-data` or `provision.system/00000000`. */
  path: string;
  data: Uint8Array;
  /** Permission bits (default 0o644). */
  mode?: number;
}

export interface IsoOptions {
  /** Volume identifier; the NoCloud datasource looks for `cidata`. */
  volumeLabel: string;
  /** Time stamped on the volume and every record (default: now). */
  date?: Date;
}

const SECTOR = 2048;
/** Sectors 0-15 are the system area; the volume descriptors follow. */
const PVD_SECTOR = 16;
const FIRST_FREE_SECTOR = 18;
const MAX_RECORD = 255;
/** ISO 9660 allows 8 directory levels including the root. */
const MAX_DEPTH = 8;
const DIR_MODE = 0o755;
const FILE_MODE = 0o644;
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;

const RR_ID = "RRIP_1991A";
const RR_DESCRIPTION =
  "THE ROCK RIDGE INTERCHANGE PROTOCOL PROVIDES SUPPORT FOR POSIX FILE SYSTEM SEMANTICS";
const RR_SOURCE = "PLEASE CONTACT DISC PUBLISHER FOR SPECIFICATION SOURCE";

const utf8 = new TextEncoder();

interface DirNode {
  kind: "dir";
  name: string;
  path: string;
  isoName: string;
  isoExt: string;
  parent: DirNode | null;
  children: Map<string, Node>;
  depth: number;
  number: number;
  extent: number;
  sectors: number;
}

interface FileNode {
  kind: "file";
  name: string;
  path: string;
  isoName: string;
  isoExt: string;
  data: Uint8Array;
  mode: number;
  extent: number;
}

type Node = DirNode | FileNode;

/**
 * Builds an ISO 9660 image with Rock Ridge names and modes, so Linux sees the
 * long, case-preserving names (`user-data`, `lima.env`) and executable bits.
 */
export function buildIso(files: IsoFile[], options: IsoOptions): Uint8Array {
  const label = checkLabel(options.volumeLabel);
  const date = options.date ?? new Date();
  const root = buildTree(files);
  const dirs = orderDirectories(root);

  const pathTableSize = dirs.reduce(
    (n, d) => n + 8 + pad2(identifierOf(d).length),
    0,
  );
  const pathTableSectors = sectorsFor(pathTableSize);
  const lPathTable = FIRST_FREE_SECTOR;
  const mPathTable = lPathTable + pathTableSectors;

  let next = mPathTable + pathTableSectors;
  for (const dir of dirs) {
    dir.sectors = packRecords(directoryRecords(dir, date)).length;
    dir.extent = next;
    next += dir.sectors;
  }
  const fileNodes = dirs.flatMap((d) =>
    sortedChildren(d).filter((c): c is FileNode => c.kind === "file")
  );
  for (const file of fileNodes) {
    const sectors = sectorsFor(file.data.length);
    file.extent = sectors === 0 ? 0 : next;
    next += sectors;
  }
  const totalSectors = next;

  const image = new Uint8Array(totalSectors * SECTOR);
  image.set(
    primaryVolumeDescriptor({
      label,
      date,
      totalSectors,
      pathTableSize,
      lPathTable,
      mPathTable,
      root,
    }),
    PVD_SECTOR * SECTOR,
  );
  image.set(terminator(), (PVD_SECTOR + 1) * SECTOR);
  image.set(pathTable(dirs, "little"), lPathTable * SECTOR);
  image.set(pathTable(dirs, "big"), mPathTable * SECTOR);
  for (const dir of dirs) {
    packRecords(directoryRecords(dir, date)).forEach((sector, i) =>
      image.set(sector, (dir.extent + i) * SECTOR)
    );
  }
  for (const file of fileNodes) {
    image.set(file.data, file.extent * SECTOR);
  }
  return image;
}

function invalid(summary: string, detail?: string): LimaError {
  return new LimaError({ summary, detail });
}

/** Written as given, lower case included: Lima's guests look for `/dev/disk/by-label/cidata`. */
function checkLabel(label: string): string {
  if (
    label.length === 0 || label.length > 32 || !/^[\x20-\x7e]+$/.test(label)
  ) {
    throw invalid(
      "Invalid ISO volume label",
      `${JSON.stringify(label)} must be 1 to 32 printable ASCII characters`,
    );
  }
  return label;
}

function newDir(name: string, parent: DirNode | null): DirNode {
  const path = parent === null
    ? ""
    : parent.path === ""
    ? name
    : `${parent.path}/${name}`;
  return {
    kind: "dir",
    name,
    path,
    isoName: "",
    isoExt: "",
    parent,
    children: new Map(),
    depth: parent === null ? 1 : parent.depth + 1,
    number: 0,
    extent: 0,
    sectors: 0,
  };
}

function buildTree(files: IsoFile[]): DirNode {
  const root = newDir("", null);
  for (const file of files) {
    const parts = file.path.split("/");
    for (const part of parts) {
      if (part === "" || part === "." || part === ".." || part.includes("\0")) {
        throw invalid(
          "Invalid path for an ISO image file",
          `${
            JSON.stringify(file.path)
          } must be relative, without empty, "." or ".." components`,
        );
      }
    }
    const mode = file.mode ?? FILE_MODE;
    if (!Number.isInteger(mode) || mode < 0 || mode > 0o7777) {
      throw invalid(
        "Invalid mode for an ISO image file",
        `${file.path}: ${mode} is not a permission mode between 0 and 0o7777`,
      );
    }
    let dir = root;
    for (const part of parts.slice(0, -1)) {
      const existing = dir.children.get(part);
      if (existing?.kind === "file") {
        throw invalid(
          "Conflicting paths for an ISO image",
          `${existing.path} is both a file and a directory`,
        );
      }
      if (existing === undefined) {
        const sub = newDir(part, dir);
        if (sub.depth > MAX_DEPTH) {
          throw invalid(
            "Path too deep for an ISO image",
            `${file.path} has more than ${MAX_DEPTH - 1} directory levels`,
          );
        }
        dir.children.set(part, sub);
        dir = sub;
      } else {
        dir = existing;
      }
    }
    const name = parts[parts.length - 1];
    if (dir.children.has(name)) {
      throw invalid(
        "Duplicate path for an ISO image",
        `${file.path} is given more than once or is also a directory`,
      );
    }
    dir.children.set(name, {
      kind: "file",
      name,
      path: file.path,
      isoName: "",
      isoExt: "",
      data: file.data,
      mode,
      extent: 0,
    });
  }
  assignIsoNames(root);
  return root;
}

/** Plain ISO 9660 readers see unique 8.3 upper-case names; Rock Ridge carries the real ones. */
function assignIsoNames(dir: DirNode): void {
  const taken = new Set<string>();
  const names = [...dir.children.keys()].sort();
  for (const key of names) {
    const node = dir.children.get(key)!;
    const clean = (s: string) => s.toUpperCase().replace(/[^A-Z0-9_]/g, "_");
    let base: string;
    let ext = "";
    const dot = node.name.lastIndexOf(".");
    if (node.kind === "file" && dot > 0) {
      base = clean(node.name.slice(0, dot)).slice(0, 8);
      ext = clean(node.name.slice(dot + 1)).slice(0, 3);
    } else {
      base = clean(node.name).slice(0, 8);
    }
    let candidate = base;
    for (let n = 1; taken.has(`${candidate}.${ext}`); n++) {
      const suffix = String(n);
      candidate = base.slice(0, 8 - suffix.length) + suffix;
    }
    taken.add(`${candidate}.${ext}`);
    node.isoName = candidate;
    node.isoExt = ext;
    if (node.kind === "dir") assignIsoNames(node);
  }
}

/** ECMA-119 9.3: compare names, then extensions, each padded with spaces. */
function compareIso(a: Node, b: Node): number {
  const cmp = (x: string, y: string) => {
    const len = Math.max(x.length, y.length);
    const px = x.padEnd(len, " ");
    const py = y.padEnd(len, " ");
    return px < py ? -1 : px > py ? 1 : 0;
  };
  return cmp(a.isoName, b.isoName) || cmp(a.isoExt, b.isoExt);
}

function sortedChildren(dir: DirNode): Node[] {
  return [...dir.children.values()].sort(compareIso);
}

/** Breadth-first with sorted siblings is the order the path table requires. */
function orderDirectories(root: DirNode): DirNode[] {
  const order: DirNode[] = [root];
  for (let i = 0; i < order.length; i++) {
    order[i].number = i + 1;
    for (const child of sortedChildren(order[i])) {
      if (child.kind === "dir") order.push(child);
    }
  }
  return order;
}

function identifierOf(node: Node): Uint8Array {
  if (node.kind === "dir") {
    return node.parent === null
      ? new Uint8Array([0])
      : utf8.encode(node.isoName);
  }
  return utf8.encode(`${node.isoName}.${node.isoExt};1`);
}

function sectorsFor(bytes: number): number {
  return Math.ceil(bytes / SECTOR);
}

function pad2(n: number): number {
  return n + (n & 1);
}

function both16(view: DataView, offset: number, value: number): void {
  view.setUint16(offset, value, true);
  view.setUint16(offset + 2, value, false);
}

function both32(view: DataView, offset: number, value: number): void {
  view.setUint32(offset, value, true);
  view.setUint32(offset + 4, value, false);
}

function recordingDate(date: Date): Uint8Array {
  return new Uint8Array([
    date.getUTCFullYear() - 1900,
    date.getUTCMonth() + 1,
    date.getUTCDate(),
    date.getUTCHours(),
    date.getUTCMinutes(),
    date.getUTCSeconds(),
    0,
  ]);
}

function volumeDate(date: Date): Uint8Array {
  const two = (n: number) => String(n).padStart(2, "0");
  const text = String(date.getUTCFullYear()).padStart(4, "0") +
    two(date.getUTCMonth() + 1) + two(date.getUTCDate()) +
    two(date.getUTCHours()) + two(date.getUTCMinutes()) +
    two(date.getUTCSeconds()) +
    two(Math.floor(date.getUTCMilliseconds() / 10));
  const out = new Uint8Array(17);
  out.set(utf8.encode(text));
  return out;
}

function susp(signature: string, body: number[] | Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + body.length);
  out.set(utf8.encode(signature));
  out[2] = out.length;
  out[3] = 1;
  out.set(body, 4);
  return out;
}

function posixAttributes(mode: number, links: number): Uint8Array {
  const body = new Uint8Array(32);
  const view = new DataView(body.buffer);
  both32(view, 0, mode);
  both32(view, 8, links);
  return susp("PX", body);
}

/** The root's "." record announces SUSP (SP, first) and Rock Ridge (ER). */
function rootSystemUse(root: DirNode): Uint8Array {
  const sp = susp("SP", [0xbe, 0xef, 0]);
  const [id, des, src] = [RR_ID, RR_DESCRIPTION, RR_SOURCE].map((s) =>
    utf8.encode(s)
  );
  const er = susp("ER", [
    id.length,
    des.length,
    src.length,
    1,
    ...id,
    ...des,
    ...src,
  ]);
  return concat([sp, dirAttributes(root), er]);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

interface RecordFields {
  extent: number;
  size: number;
  isDir: boolean;
  identifier: Uint8Array;
  systemUse: Uint8Array;
  date: Date;
  path: string;
}

function directoryRecord(r: RecordFields): Uint8Array {
  // A pad byte follows an even-length identifier so the system use area starts even.
  const fixed = 33 + r.identifier.length +
    (r.identifier.length % 2 === 0 ? 1 : 0);
  const length = pad2(fixed + r.systemUse.length);
  if (length > MAX_RECORD) {
    throw invalid(
      "File name too long for an ISO image",
      `${r.path} does not fit in one ISO 9660 directory record`,
    );
  }
  const out = new Uint8Array(length);
  const view = new DataView(out.buffer);
  out[0] = length;
  both32(view, 2, r.extent);
  both32(view, 10, r.size);
  out.set(recordingDate(r.date), 18);
  out[25] = r.isDir ? 2 : 0;
  both16(view, 28, 1);
  out[32] = r.identifier.length;
  out.set(r.identifier, 33);
  out.set(r.systemUse, fixed);
  return out;
}

function subdirCount(dir: DirNode): number {
  return [...dir.children.values()].filter((c) => c.kind === "dir").length;
}

function dirAttributes(dir: DirNode): Uint8Array {
  return posixAttributes(S_IFDIR | DIR_MODE, 2 + subdirCount(dir));
}

function directoryRecords(dir: DirNode, date: Date): Uint8Array[] {
  const parent = dir.parent ?? dir;
  const self = directoryRecord({
    extent: dir.extent,
    size: dir.sectors * SECTOR,
    isDir: true,
    identifier: new Uint8Array([0]),
    systemUse: dir.parent === null ? rootSystemUse(dir) : dirAttributes(dir),
    date,
    path: dir.path,
  });
  const up = directoryRecord({
    extent: parent.extent,
    size: parent.sectors * SECTOR,
    isDir: true,
    identifier: new Uint8Array([1]),
    systemUse: dirAttributes(parent),
    date,
    path: parent.path,
  });
  const children = sortedChildren(dir).map((child) => {
    const name = utf8.encode(child.name);
    const nm = susp("NM", [0, ...name]);
    return directoryRecord({
      extent: child.extent,
      size: child.kind === "dir" ? child.sectors * SECTOR : child.data.length,
      isDir: child.kind === "dir",
      identifier: identifierOf(child),
      systemUse: concat([
        child.kind === "dir"
          ? dirAttributes(child)
          : posixAttributes(S_IFREG | child.mode, 1),
        nm,
      ]),
      date,
      path: child.path,
    });
  });
  return [self, up, ...children];
}

/** Lays records into sectors; a record never crosses a sector boundary. */
function packRecords(records: Uint8Array[]): Uint8Array[] {
  const sectors: Uint8Array[] = [new Uint8Array(SECTOR)];
  let at = 0;
  for (const record of records) {
    if (at + record.length > SECTOR) {
      sectors.push(new Uint8Array(SECTOR));
      at = 0;
    }
    sectors[sectors.length - 1].set(record, at);
    at += record.length;
  }
  return sectors;
}

function pathTable(dirs: DirNode[], endian: "little" | "big"): Uint8Array {
  const entries = dirs.map((dir) => {
    const id = identifierOf(dir);
    const out = new Uint8Array(8 + pad2(id.length));
    const view = new DataView(out.buffer);
    out[0] = id.length;
    view.setUint32(2, dir.extent, endian === "little");
    view.setUint16(6, (dir.parent ?? dir).number, endian === "little");
    out.set(id, 8);
    return out;
  });
  return concat(entries);
}

interface PvdFields {
  label: string;
  date: Date;
  totalSectors: number;
  pathTableSize: number;
  lPathTable: number;
  mPathTable: number;
  root: DirNode;
}

function primaryVolumeDescriptor(f: PvdFields): Uint8Array {
  const out = new Uint8Array(SECTOR);
  const view = new DataView(out.buffer);
  const text = (offset: number, length: number, value: string) =>
    out.set(utf8.encode(value.padEnd(length, " ")), offset);
  out[0] = 1;
  text(1, 5, "CD001");
  out[6] = 1;
  text(8, 32, "");
  text(40, 32, f.label);
  both32(view, 80, f.totalSectors);
  both16(view, 120, 1);
  both16(view, 124, 1);
  both16(view, 128, SECTOR);
  both32(view, 132, f.pathTableSize);
  view.setUint32(140, f.lPathTable, true);
  view.setUint32(148, f.mPathTable, false);
  out.set(
    directoryRecord({
      extent: f.root.extent,
      size: f.root.sectors * SECTOR,
      isDir: true,
      identifier: new Uint8Array([0]),
      systemUse: new Uint8Array(0),
      date: f.date,
      path: "/",
    }),
    156,
  );
  text(190, 128 * 4 + 37 * 3, "");
  out.set(volumeDate(f.date), 813);
  out.set(volumeDate(f.date), 830);
  out.set(utf8.encode("0000000000000000"), 847);
  out.set(utf8.encode("0000000000000000"), 864);
  out[881] = 1;
  return out;
}

function terminator(): Uint8Array {
  const out = new Uint8Array(SECTOR);
  out[0] = 255;
  out.set(utf8.encode("CD001"), 1);
  out[6] = 1;
  return out;
}
