/** `containerd`: enabling it needs archives to install. */
import type { Check } from "./check.ts";
import { checkFile } from "./file.ts";

export function checkContainerd(c: Check): void {
  const containerd = c.y.containerd;
  if (
    (containerd?.system || containerd?.user) && !containerd.archives?.length
  ) {
    c.fail(
      "containerd.archives",
      "field `containerd.archives` must be provided",
    );
  }
  containerd?.archives?.forEach((f, i) =>
    checkFile(c, `containerd.archives[${i}]`, f)
  );
}
