import { Command, Option } from "@commander-js/extra-typings";
import { LimaError } from "../core/errors.ts";
import { logger } from "../core/log.ts";
import type { Template } from "../core/template/locator.ts";
import { validateCommand } from "./validate.ts";
import { withExamples } from "./help.ts";

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

/** The one mode the copy flags ask for: --fill implies --embed-all, which implies --embed. */
function copyMode(
  opts: { embed?: true; embedAll?: true; fill?: true; verbatim?: true },
): CopyMode | undefined {
  const embedding = opts.fill
    ? "fill"
    : opts.embedAll
    ? "embedAll"
    : opts.embed
    ? "embed"
    : undefined;
  if (embedding && opts.verbatim) {
    throw new LimaError({
      summary:
        "--verbatim cannot be used with any of --embed, --embed-all, or --fill",
    });
  }
  return embedding ?? (opts.verbatim ? "verbatim" : undefined);
}

function copyCommand() {
  return withExamples(new Command("copy"), COPY_EXAMPLES)
    .usage("[OPTIONS] TEMPLATE [DEST]")
    .summary("Copy template")
    .description(
      "Copy a template via locator to a local file or stdout (default)",
    )
    .argument("<template>", "template locator")
    .argument("[dest]", "destination file, or - for stdout", "-")
    .option("--embed", "Embed external dependencies into template")
    .option("--embed-all", "Embed all dependencies into template")
    .option("--fill", "Fill defaults")
    .option("--verbatim", "Don't make locators absolute")
    .action(async (locator, dest, opts) => {
      const text = await copiedText(locator, copyMode(opts));
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

const COPY_EXAMPLES =
  `  Template locators are local files, file://, https://, or template: URLs

  # Copy default template to STDOUT
  limactl template copy template:default -

  # Copy template from web location to local file and embed all external references
  # (this does not embed template: references)
  limactl template copy --embed https://example.com/lima.yaml mighty-machine.yaml`;

function yqCommand() {
  return new Command("yq")
    .usage("TEMPLATE EXPR")
    .summary("Query template expressions")
    .description(
      `Use the builtin YQ evaluator to extract information from a template.
External references are embedded and default values are filled in
before the YQ expression is evaluated.

Example:
  limactl template yq template:default '.images[].location'

The example command is equivalent to using an external yq command like this:
  limactl template copy --fill template:default - | yq '.images[].location'
`,
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
    .usage("CUSTOM_URL")
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
