/** `mounts[i].sshfs`, `mounts[i].9p` and `mounts[i].virtiofs`: per-mount-type options. */
import { quote } from "../../quote.ts";
import {
  type Mount,
  type NineP,
  NINEP_CACHES,
  NINEP_PROTOCOL_VERSIONS,
  NINEP_SECURITY_MODELS,
  SFTP_DRIVERS,
} from "../schema.ts";
import { parseSize } from "../units.ts";
import type { Check } from "./check.ts";
import { field, orList, quotedList } from "./messages.ts";

/** The 9p fields that take one of a list of values, each with its list. */
const NINEP_ENUMS: [keyof NineP, readonly string[]][] = [
  ["securityModel", NINEP_SECURITY_MODELS],
  ["protocolVersion", NINEP_PROTOCOL_VERSIONS],
  ["cache", NINEP_CACHES],
];

export function checkMountOptions(c: Check, path: string, m: Mount): void {
  const sftp = m.sshfs?.sftpDriver;
  if (sftp != null && !(SFTP_DRIVERS as readonly string[]).includes(sftp)) {
    c.fail(
      `${path}.sshfs.sftpDriver`,
      `${field(`${path}.sshfs.sftpDriver`)} must be ${
        orList(SFTP_DRIVERS)
      }, got ${quote(sftp)}`,
    );
  }
  if (m["9p"]) checkNineP(c, `${path}.9p`, m["9p"]);
  const queueSize = m.virtiofs?.queueSize;
  if (queueSize != null) {
    checkQueueSize(c, `${path}.virtiofs.queueSize`, queueSize);
  }
}

function checkNineP({ fail }: Check, path: string, ninep: NineP): void {
  for (const [key, allowed] of NINEP_ENUMS) {
    const value = ninep[key];
    if (value != null && !allowed.includes(value)) {
      fail(
        `${path}.${key}`,
        `${field(`${path}.${key}`)} must be one of ${
          quotedList(allowed)
        }, got ${quote(value)}`,
      );
    }
  }
  if (ninep.msize == null) return;
  try {
    if (parseSize(ninep.msize) < 4096) {
      fail(
        `${path}.msize`,
        `field \`msize\` has an invalid value: ${
          quote(ninep.msize)
        } is less than the minimum of 4KiB`,
      );
    }
  } catch (err) {
    fail(
      `${path}.msize`,
      `field \`msize\` has an invalid value: ${(err as Error).message}`,
    );
  }
}

function checkQueueSize(c: Check, path: string, queueSize: number): void {
  if (queueSize <= 0) {
    c.fail(
      path,
      `${field(path)} must be a positive integer, got ${queueSize}`,
    );
  } else if (c.hostOS !== "linux") {
    c.warn(`field ${path} is only supported on Linux`);
  }
}
