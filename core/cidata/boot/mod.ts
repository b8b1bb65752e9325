/**
 * The guest-side scripts of the seed, embedded as text so that a compiled binary carries them.
 * Paths are the ones inside the ISO; `boot.sh` runs `boot.Linux/*.sh` in name order.
 */
import boot from "./boot.sh" with { type: "text" };
import linux00CheckRtcAndWaitNtp from "./boot.Linux/00-check-rtc-and-wait-ntp.sh" with {
  type: "text",
};
import linux00Modprobe from "./boot.Linux/00-modprobe.sh" with { type: "text" };
import linux00RebootIfRequired from "./boot.Linux/00-reboot-if-required.sh" with {
  type: "text",
};
import linux00SystemdUserGroup from "./boot.Linux/00-systemd-user-group.sh" with {
  type: "text",
};
import linux00UserManager from "./boot.Linux/00-user-manager.sh" with {
  type: "text",
};
import linux01Timezone from "./boot.Linux/01-timezone.sh" with {
  type: "text",
};
import linux02GuestagentBase from "./boot.Linux/02-guestagent-base.sh" with {
  type: "text",
};
import linux05GuestHome from "./boot.Linux/05-guest-home.sh" with {
  type: "text",
};
import linux05LimaDisks from "./boot.Linux/05-lima-disks.sh" with {
  type: "text",
};
import linux05LimaMounts from "./boot.Linux/05-lima-mounts.sh" with {
  type: "text",
};
import linux06EnableMdnsOnSystemd from "./boot.Linux/06-enable-mdns-on-systemd.sh" with {
  type: "text",
};
import linux06EtcHosts from "./boot.Linux/06-etc-hosts.sh" with {
  type: "text",
};
import linux07EtcEnvironment from "./boot.Linux/07-etc-environment.sh" with {
  type: "text",
};
import linux08ShellPrompt from "./boot.Linux/08-shell-prompt.sh" with {
  type: "text",
};
import linux09HostDnsSetup from "./boot.Linux/09-host-dns-setup.sh" with {
  type: "text",
};
import linux11ColortermEnvironment from "./boot.Linux/11-colorterm-environment.sh" with {
  type: "text",
};
import linux20RootlessBase from "./boot.Linux/20-rootless-base.sh" with {
  type: "text",
};
import linux25ReverseSshfsMountpoints from "./boot.Linux/25-reverse-sshfs-mountpoints.sh" with {
  type: "text",
};
import linux26HostServices from "./boot.Linux/26-host-services.sh" with {
  type: "text",
};
import linux30InstallPackages from "./boot.Linux/30-install-packages.sh" with {
  type: "text",
};
import linux35SetupPackages from "./boot.Linux/35-setup-packages.sh" with {
  type: "text",
};
import linux40InstallContainerd from "./boot.Linux/40-install-containerd.sh" with {
  type: "text",
};
import utilCompareVersion from "./util/compare_version.sh" with {
  type: "text",
};
import utilEscapeFstab from "./util/escape_fstab.sh" with { type: "text" };
import utilUnescapeFstab from "./util/unescape_fstab.sh" with { type: "text" };
import utilProvisionRun from "./util/provision_run.sh" with { type: "text" };
import utilReplaceBlock from "./util/replace_block.sh" with { type: "text" };
import utilWaitProvisionReady from "./util/wait_provision_ready.sh" with {
  type: "text",
};
import limaInit from "./lima-init.sh" with { type: "text" };

export interface BootFile {
  /** Path inside the seed. */
  path: string;
  content: string;
}

export const BOOT_FILES: readonly BootFile[] = [
  { path: "boot.sh", content: boot },
  { path: "lima-init", content: limaInit },
  {
    path: "boot.Linux/00-check-rtc-and-wait-ntp.sh",
    content: linux00CheckRtcAndWaitNtp,
  },
  { path: "boot.Linux/00-modprobe.sh", content: linux00Modprobe },
  {
    path: "boot.Linux/00-reboot-if-required.sh",
    content: linux00RebootIfRequired,
  },
  {
    path: "boot.Linux/00-systemd-user-group.sh",
    content: linux00SystemdUserGroup,
  },
  { path: "boot.Linux/00-user-manager.sh", content: linux00UserManager },
  { path: "boot.Linux/01-timezone.sh", content: linux01Timezone },
  { path: "boot.Linux/02-guestagent-base.sh", content: linux02GuestagentBase },
  { path: "boot.Linux/05-guest-home.sh", content: linux05GuestHome },
  { path: "boot.Linux/05-lima-disks.sh", content: linux05LimaDisks },
  { path: "boot.Linux/05-lima-mounts.sh", content: linux05LimaMounts },
  {
    path: "boot.Linux/06-enable-mdns-on-systemd.sh",
    content: linux06EnableMdnsOnSystemd,
  },
  { path: "boot.Linux/06-etc-hosts.sh", content: linux06EtcHosts },
  { path: "boot.Linux/07-etc-environment.sh", content: linux07EtcEnvironment },
  { path: "boot.Linux/08-shell-prompt.sh", content: linux08ShellPrompt },
  { path: "boot.Linux/09-host-dns-setup.sh", content: linux09HostDnsSetup },
  {
    path: "boot.Linux/11-colorterm-environment.sh",
    content: linux11ColortermEnvironment,
  },
  { path: "boot.Linux/20-rootless-base.sh", content: linux20RootlessBase },
  {
    path: "boot.Linux/25-reverse-sshfs-mountpoints.sh",
    content: linux25ReverseSshfsMountpoints,
  },
  { path: "boot.Linux/26-host-services.sh", content: linux26HostServices },
  {
    path: "boot.Linux/30-install-packages.sh",
    content: linux30InstallPackages,
  },
  { path: "boot.Linux/35-setup-packages.sh", content: linux35SetupPackages },
  {
    path: "boot.Linux/40-install-containerd.sh",
    content: linux40InstallContainerd,
  },
  { path: "util/compare_version.sh", content: utilCompareVersion },
  { path: "util/escape_fstab.sh", content: utilEscapeFstab },
  { path: "util/unescape_fstab.sh", content: utilUnescapeFstab },
  { path: "util/provision_run.sh", content: utilProvisionRun },
  { path: "util/replace_block.sh", content: utilReplaceBlock },
  { path: "util/wait_provision_ready.sh", content: utilWaitProvisionReady },
];
