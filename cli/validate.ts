import { Command } from "@commander-js/extra-typings";
import { logger } from "../core/log.ts";

/** `validate TEMPLATE...` (also `template validate`): checks templates, optionally prints them filled. */
export function validateCommand(
  name = "validate",
): Command<[string[]], { fill?: true }> {
  return new Command(name)
    .usage("TEMPLATE [TEMPLATE, ...]")
    .description("Validate YAML templates")
    .argument(
      "<templates...>",
      "template locators (file, URL, template:NAME or -)",
    )
    .option("--fill", "fill defaults and print the resulting YAML")
    .action(async (locators, opts) => {
      const [{ filledYAML, fillTemplate }, { networkModes }] = await Promise
        .all([
          import("../core/template/validate.ts"),
          import("../core/network/networks_yaml.ts"),
        ]);
      const filled: string[] = [];
      for (const locator of locators) {
        const result = await fillTemplate(locator, {
          defaultBase: opts.fill,
          networkModes,
        });
        logger.info(`${JSON.stringify(locator)}: OK`);
        if (opts.fill) filled.push(filledYAML(result.config));
      }
      if (filled.length === 1) console.log(filled[0].trimEnd());
      if (filled.length > 1) {
        console.log(`${filled.map((y) => `---\n${y}`).join("")}...`);
      }
    });
}
