import { Command, Option } from "@commander-js/extra-typings";
import { LimaError } from "../core/errors.ts";
import { logger } from "../core/log.ts";
import type { Template } from "../core/template/locator.ts";
import { validateCommand } from "./validate.ts";

const experimental = () => logger.warn("`limactl template` is experimental");

type CopyMode = "embed" | "embedAll" | "fill" | "verbatim";

// The template engine is imported by the sub-command that runs, not by every `limactl` start.
const validation = () => import("../core/template/validate.ts");

async function copiedText(
  locator: string,
  mode: CopyMode | undefined,
): Promise<string> {
  if (mode === "fill") {
    const { filledYAML, fillTemplate } = await validation();
    return filledYAML(
      (await fillTemplate(locator, { defaultBase: true })).config,
    );
  }
  const { readTemplate } = await import("../core/template/locator.ts");
  const tmpl: Template = await readTemplate(locator);
  switch (mode) {
    case "verbatim":
      return tmpl.text;
    case "embed":
    case "embedAll": {
      const { embedTemplate } = await import("../core/template/embed.ts");
      return (await embedTemplate(tmpl, {
        embedAll: mode === "embedAll",
        defaultBase: false,
      })).text;
    }
    default: {
      const { makeLocatorsAbsolute } = await import(
        "../core/template/relative.ts"
      );
      return makeLocatorsAbsolute(tmpl).text;
    }
  }
}

function copyCommand() {
  return new Command("copy")
    .usage("[OPTIONS] TEMPLATE [DEST]")
    .description(
      "Copy a template, making relative locators absolute or embedding bases",
    )
    .argument("<template>", "template locator")
    .argument("[dest]", "destination file, or - for stdout", "-")
    .option(
      "--embed",
      "embed bases and scripts that are not template: references",
    )
    .option("--embed-all", "embed everything")
    .option("--fill", "embed everything and fill in defaults")
    .option("--verbatim", "copy the template without changes")
    .action(async (locator, dest, opts) => {
      const modes = (["embed", "embedAll", "fill", "verbatim"] as const).filter(
        (m) => opts[m],
      );
      if (modes.length > 1 && (opts.verbatim || modes.includes("fill"))) {
        throw new LimaError({
          summary:
            "flags --embed, --embed-all, --fill and --verbatim are mutually exclusive",
        });
      }
      // --embed-all implies --embed.
      const mode = modes.includes("embedAll") ? "embedAll" : modes[0];
      const text = await copiedText(locator, mode);
      if (dest === "-") {
        await Deno.stdout.write(new TextEncoder().encode(text));
      } else {
        const { writeFileAtomic } = await import(
          "../core/store/atomic_write.ts"
        );
        await writeFileAtomic(dest, text);
      }
    });
}

function yqCommand() {
  return new Command("yq")
    .usage("TEMPLATE EXPR")
    .description(
      "Query a template with a yq expression, after embedding and filling defaults",
    )
    .argument("<template>", "template locator")
    .argument("<expression>", "yq expression")
    .action(async (locator, expression) => {
      const [
        { filledYAML, fillTemplate },
        { evaluateYamlStream, formatYqResults },
      ] = await Promise.all([
        validation(),
        import("../core/yq/mod.ts"),
      ]);
      const yaml = filledYAML(
        (await fillTemplate(locator, { defaultBase: true })).config,
      );
      await Deno.stdout.write(
        new TextEncoder().encode(
          formatYqResults(evaluateYamlStream(yaml, expression)),
        ),
      );
    });
}

function listCommand() {
  return new Command("list")
    .alias("ls")
    .description("List templates")
    .addOption(new Option("--json", "print one JSON object per template"))
    .action(async (opts) => {
      const { listTemplates } = await import("../core/template/search_path.ts");
      for (const t of await listTemplates()) {
        console.log(opts.json ? JSON.stringify(t) : t.name);
      }
    });
}

function urlCommand() {
  return new Command("url")
    .description(
      "Transform custom template URLs to regular file or https URLs",
    )
    .argument("<custom_url>", "template locator with a custom scheme")
    .action(async (locator) => {
      const { transformCustomURL } = await import(
        "../core/template/custom_url.ts"
      );
      console.log(await transformCustomURL(locator));
    });
}

/** `template copy|validate|yq|list|url` (alias `tmpl`). */
export function templateCommand() {
  return new Command("template")
    .alias("tmpl")
    .description("Lima template management (EXPERIMENTAL)")
    .hook("preAction", experimental)
    .addCommand(copyCommand())
    .addCommand(validateCommand("validate"))
    .addCommand(yqCommand())
    .addCommand(listCommand())
    .addCommand(urlCommand());
}
