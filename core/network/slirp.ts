/** The addresses of the user-mode network (QEMU slirp), as Lima lays it out. */
export const SLIRP = {
  gateway: "192.168.5.2",
  dns: "192.168.5.3",
  ipAddress: "192.168.5.15",
} as const;
