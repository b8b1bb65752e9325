import { Command } from "@commander-js/extra-typings";
import { asHelpTopic } from "./help.ts";

/** The text of Lima's help topic `yq-restrictions` (`cmd/limactl/yq_restrictions.go`). */
export const YQ_RESTRICTIONS =
  `Lima uses yq (v4) syntax for the --set flag and provision mode "yq".

Lima embeds yqlib (https://github.com/mikefarah/yq) as a library and
disables several operators to prevent template expressions from reading
the host environment or executing arbitrary commands:

  Disabled by Lima:
    - env               (environment variable access)
    - load, load_str    (arbitrary file reads)

  Disabled by yqlib default:
    - system            (arbitrary command execution)

These restrictions exist because --set expressions and provision.yq
expressions may come from untrusted template files. Allowing them to
access environment variables, read files, or execute commands on the
host would be a security risk.

For full yq v4 expression syntax, see:
  https://mikefarah.gitbook.io/yq/`;

/**
 * `limactl help yq-restrictions`: a help topic, not a command. As cobra does for a command
 * that cannot run, its help is the text alone, also when it is run as `limactl yq-restrictions`.
 */
export function yqRestrictionsTopic() {
  return asHelpTopic(
    new Command("yq-restrictions")
      .summary("Restrictions on yq expressions in Lima")
      .description(YQ_RESTRICTIONS)
      .action((_opts, cmd) => cmd.help()),
  );
}
