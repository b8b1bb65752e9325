/**
 * `--cpus` and `--memory` suggestions from the host's size (`completeCPUs` and
 * `completeMemoryGiB` in Lima's `cmd/limactl/editflags/editflags.go`).
 */

const GiB = 1024 ** 3;

const isPowerOfTwo = (n: number) => n > 0 && (n & (n - 1)) === 0;

/** Powers of two up to HOST_CPUS, then HOST_CPUS itself when it is not one. */
export function cpuChoices(hostCPUs: number): string[] {
  const choices: number[] = [];
  for (let n = 1; n <= hostCPUs; n *= 2) choices.push(n);
  if (!isPowerOfTwo(hostCPUs)) choices.push(hostCPUs);
  return choices.map(String);
}

/**
 * GiB amounts up to half of HOST_MEMORY bytes: 0.5 on a host under 2 GiB, powers of two, then
 * the half itself when it is not one; written like Lima's `%.1f`.
 */
export function memoryChoices(hostMemory: number): string[] {
  const half = Math.floor(hostMemory / 2 / GiB);
  const choices: number[] = half < 1 ? [0.5] : [];
  for (let n = 1; n <= half; n *= 2) choices.push(n);
  if (half > 1 && !isPowerOfTwo(half)) choices.push(half);
  return choices.map((n) => n.toFixed(1));
}
