import { Command } from "@commander-js/extra-typings";
import { DEFAULT_INSTANCE } from "../core/store/names.ts";

/** `limactl guest-install [INSTANCE]` (hidden, as in Lima). */
export function guestInstallCommand() {
  return new Command("guest-install")
    .usage("INSTANCE")
    .summary("Install guest components")
    .description("Install guest components")
    .argument("[instance]")
    .action(async (name) => {
      const { guestInstall } = await import(
        "../core/lifecycle/guest_install.ts"
      );
      await guestInstall(name ?? DEFAULT_INSTANCE);
    });
}
