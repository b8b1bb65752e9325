/** The error for a `vmType` naming a driver module that the user has not installed. */
import { LimaError } from "../core/errors.ts";
import { shellQuote } from "../core/shell_quote.ts";

/**
 * A template may come from anywhere, so naming a module in `vmType` never installs or runs
 * it: the user installs it on purpose, after seeing what it asks for.
 */
export function driverNotInstalled(location: string): LimaError {
  return new LimaError({
    summary: `vmType ${
      JSON.stringify(location)
    } names a driver that is not installed`,
    path: "vmType",
    detail:
      "third-party drivers run code on this host, so they only run once installed",
    hint: `review and install it with \`limactl driver install ${
      shellQuote(location)
    }\``,
  });
}
