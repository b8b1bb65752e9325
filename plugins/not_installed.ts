/** The error for a `vmType` naming a driver module that the user has not installed. */
import { LimaError } from "../core/errors.ts";
import { shellQuote } from "../core/shell_quote.ts";

/**
 * A template may come from anywhere, so naming a module in `vmType` never installs or runs
 * it: the user installs it on purpose, after seeing what it asks for. When INSTALLABLE is
 * false (`npm:foo`), nothing can be installed from there, so the hint says what can be.
 */
export function driverNotInstalled(
  location: string,
  installable = true,
): LimaError {
  return new LimaError({
    summary: `vmType ${
      JSON.stringify(location)
    } names a driver that is not installed`,
    path: "vmType",
    detail: installable
      ? "third-party drivers run code on this host, so they only run once installed"
      : `a driver is installed from an https:// URL or a local path, never from a \`${
        /^[^:]*:/.exec(location)?.[0] ?? location
      }\` location`,
    hint: installable
      ? `review and install it with \`limactl driver install ${
        shellQuote(location)
      }\``
      : "install the driver from an https:// URL or a local path with `limactl driver install LOCATION`, then set vmType to its name",
  });
}
