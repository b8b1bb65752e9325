import assert from "node:assert/strict";
import { pagerCommand } from "./sync_diff.ts";

Deno.test("the pager is $PAGER, with less told to show colours unless it already does", () => {
  assert.deepEqual(pagerCommand({}), ["less", "-R"]);
  assert.deepEqual(pagerCommand({ PAGER: " more -d " }), ["more", "-d"]);
  assert.deepEqual(pagerCommand({ PAGER: "/usr/bin/less -F" }), [
    "/usr/bin/less",
    "-F",
    "-R",
  ]);
  assert.deepEqual(pagerCommand({ PAGER: "less -FRX" }), ["less", "-FRX"]);
  assert.deepEqual(pagerCommand({ PAGER: "less", LESS: "-r" }), ["less"]);
});
