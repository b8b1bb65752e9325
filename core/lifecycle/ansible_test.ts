import assert from "node:assert/strict";
import { parse } from "yaml";
import type { LimaYAML } from "../config/schema.ts";
import { ansibleInventory, runAnsibleProvisions } from "./ansible.ts";

Deno.test("the inventory reaches lima-NAME through the instance's ssh.config", () => {
  assert.deepEqual(parse(ansibleInventory("vm", "/L/vm")), {
    all: {
      hosts: {
        "lima-vm": {
          ansible_connection: "ssh",
          ansible_ssh_common_args: '-F "/L/vm/ssh.config"',
        },
      },
    },
  });
});

Deno.test("each playbook runs in order with the params; a failure stops start", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const fake = `${dir}/ansible-playbook`;
    await Deno.writeTextFile(
      fake,
      `#!/bin/sh\necho "$* PARAM_X=$PARAM_X" >>"${dir}/calls"\n[ "$3" != bad.yaml ]\n`,
      { mode: 0o755 },
    );
    const config = {
      param: { X: "y" },
      provision: [
        { mode: "ansible", playbook: "one.yaml" },
        { mode: "system", script: "true" },
        { mode: "ansible", playbook: "two.yaml" },
      ],
    } as LimaYAML;
    await runAnsibleProvisions(config, "vm", dir, { command: fake });
    const inventory = `${dir}/ansible-inventory.yaml`;
    assert.equal(
      await Deno.readTextFile(`${dir}/calls`),
      `--inventory ${inventory} one.yaml PARAM_X=y\n--inventory ${inventory} two.yaml PARAM_X=y\n`,
    );
    await assert.rejects(
      () =>
        runAnsibleProvisions(
          {
            provision: [{ mode: "ansible", playbook: "bad.yaml" }],
          } as LimaYAML,
          "vm",
          dir,
          { command: fake },
        ),
      /ansible playbook `bad.yaml` failed with exit status 1/,
    );
    await assert.rejects(
      () =>
        runAnsibleProvisions(config, "vm", dir, {
          command: `${dir}/missing`,
        }),
      /failed to run ansible-playbook/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
