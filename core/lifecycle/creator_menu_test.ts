import assert from "node:assert/strict";
import { LimaError } from "../errors.ts";
import { configureLogger } from "../log.ts";
import { PromptInterrupted, type Select } from "../prompt.ts";
import type { Template } from "../template/locator.ts";
import { chooseNextCreatorState, CREATOR_OPTIONS } from "./creator_menu.ts";

const TEMPLATE: Template = {
  name: "x",
  locator: "template:x",
  text: "# a comment\ncpus: null\n",
};

type Answer = number | Error | ((options: string[]) => number);

/**
 * A `Select` that gives ANSWERS in turn (an Error is thrown, a function picks from the options)
 * and records what it was asked.
 */
function scripted(answers: Answer[]) {
  const asked: { message: string; options: string[] }[] = [];
  const select: Select = (message, options) => {
    asked.push({ message, options });
    const answer = answers.shift();
    if (answer === undefined) throw new Error("no answer scripted");
    if (answer instanceof Error) return Promise.reject(answer);
    return Promise.resolve(
      typeof answer === "function" ? answer(options) : answer,
    );
  };
  return { select, asked };
}

/** Runs FN with a temporary LIMA_HOME and the log lines it wrote. */
async function withHome(fn: (log: string[]) => Promise<void>): Promise<void> {
  const home = await Deno.makeTempDir();
  const previous = Deno.env.get("LIMA_HOME");
  Deno.env.set("LIMA_HOME", home);
  const log: string[] = [];
  configureLogger({ write: (line) => log.push(line) });
  try {
    await fn(log);
  } finally {
    if (previous === undefined) Deno.env.delete("LIMA_HOME");
    else Deno.env.set("LIMA_HOME", previous);
    configureLogger({
      write: (line) =>
        Deno.stderr.writeSync(new TextEncoder().encode(line + "\n")),
    });
    await Deno.remove(home, { recursive: true });
  }
}

const exitCode = (code: number, message: string) => (err: unknown) => {
  assert.ok(err instanceof LimaError, String(err));
  assert.equal(err.message, message);
  assert.equal(err.exitCode, code);
  return true;
};

Deno.test("Proceed returns the template with the edit flags' expression applied", async () => {
  await withHome(async () => {
    const { select, asked } = scripted([0]);
    const chosen = await chooseNextCreatorState(TEMPLATE, ".cpus = 2", {
      select,
    });
    assert.match(chosen.text, /^cpus: 2$/m);
    assert.deepEqual(asked, [{
      message: "Creating an instance `x`",
      options: [...CREATOR_OPTIONS],
    }]);
  });
});

Deno.test("Exit is a success: an error of exit code 0", async () => {
  await withHome(async () => {
    const { select } = scripted([3]);
    await assert.rejects(
      chooseNextCreatorState(TEMPLATE, "", { select }),
      exitCode(0, "Choosing to exit"),
    );
  });
});

Deno.test("Open an editor returns the edit, below Lima's header, without asking again", async () => {
  await withHome(async () => {
    const { select, asked } = scripted([1]);
    const headers: string[] = [];
    const chosen = await chooseNextCreatorState(TEMPLATE, ".cpus = 2", {
      select,
      edit: (content, header) => {
        headers.push(header);
        return Promise.resolve(content.replace("cpus: 2", "cpus: 4"));
      },
    });
    assert.match(chosen.text, /^cpus: 4$/m);
    assert.equal(asked.length, 1);
    assert.deepEqual(headers, [
      "# Review and modify the following configuration for Lima instance `x`.\n" +
      "# - To cancel starting Lima, just save this file as an empty file.\n\n",
    ]);
  });
});

Deno.test("the editor header of instance default says it rarely needs changes", async () => {
  await withHome(async () => {
    const { select } = scripted([1]);
    let seen = "";
    await chooseNextCreatorState({ ...TEMPLATE, name: "default" }, "", {
      select,
      edit: (content, header) => {
        seen = header;
        return Promise.resolve(content);
      },
    });
    assert.match(
      seen,
      /\n# - In most cases, you do not need to modify this file\.\n/,
    );
  });
});

Deno.test("an empty edit aborts with exit code 0 and says so", async () => {
  await withHome(async (log) => {
    const message =
      "Aborting, as requested by saving the file with empty content";
    const { select } = scripted([1]);
    await assert.rejects(
      chooseNextCreatorState(TEMPLATE, "", {
        select,
        edit: () => Promise.resolve(""),
      }),
      exitCode(0, message),
    );
    assert.ok(
      log.some((l) => l.includes(`level=info msg="${message}"`)),
      log.join("\n"),
    );
  });
});

Deno.test("Choose another template lists the visible templates, keeps the name, applies the flags again and asks again", async () => {
  await withHome(async () => {
    const { select, asked } = scripted([
      2,
      (options) => options.indexOf("docker"),
      0,
    ]);
    const chosen = await chooseNextCreatorState(TEMPLATE, ".cpus = 2", {
      select,
    });
    assert.deepEqual(asked.map((a) => a.message), [
      "Creating an instance `x`",
      "Choose a template",
      "Creating an instance `x`",
    ]);
    const names = asked[1].options;
    assert.ok(
      names.includes("docker") && names.includes("default"),
      names.join(" "),
    );
    assert.ok(!names.some((n) => n.startsWith("_")), names.join(" "));
    assert.equal(chosen.name, "x");
    assert.match(chosen.text, /^# Docker Engine in rootless mode/);
    assert.match(chosen.text, /^cpus: 2$/m);
  });
});

Deno.test("a menu that cannot be shown proceeds with a warning, as Lima does", async () => {
  await withHome(async (log) => {
    const { select } = scripted([new Error("stdin is not a terminal")]);
    const chosen = await chooseNextCreatorState(TEMPLATE, "", { select });
    assert.equal(chosen.text, TEMPLATE.text);
    assert.ok(
      log.some((l) =>
        l.includes(
          'level=warning msg="Failed to open TUI" error="stdin is not a terminal"',
        )
      ),
      log.join("\n"),
    );
  });
});

Deno.test("Ctrl-C in the menu fails with Lima's message", async () => {
  await withHome(async () => {
    const { select } = scripted([new PromptInterrupted()]);
    await assert.rejects(
      chooseNextCreatorState(TEMPLATE, "", { select }),
      exitCode(1, "Interrupted by user"),
    );
  });
});
