/** `dns`: explicit servers, only without the host resolver. */
import { quote } from "../../quote.ts";
import type { Check } from "./check.ts";
import { isIP } from "./ip.ts";
import { field } from "./messages.ts";

export function checkDNS({ y, fail }: Check): void {
  if (y.hostResolver?.enabled !== false && (y.dns?.length ?? 0) > 0) {
    fail(
      "dns",
      "field `dns` must be empty when field `HostResolver.Enabled` is true",
    );
  }
  y.dns?.forEach((server, i) => {
    if (!isIP(server)) {
      fail(
        `dns[${i}]`,
        `${field(`dns[${i}]`)} must be an IP address, got ${quote(server)}`,
      );
    }
  });
}
