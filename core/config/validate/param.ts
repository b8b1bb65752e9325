/** `param`: the names and values templates substitute. */
import { paramProblems } from "../params.ts";
import type { Check } from "./check.ts";

export function checkParam({ y, fail, warn }: Check): void {
  for (const message of paramProblems(y.param)) fail("param", message);
  if (
    Object.keys(y.param ?? {}).length > 0 &&
    y.user?.passwordlessSudo === false
  ) {
    warn(
      "`param` still relies on sudo internally, it may not work as expected when `user.passwordlessSudo: false` is set",
    );
  }
}
