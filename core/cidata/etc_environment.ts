/**
 * The guest environment (`env` plus proxy variables) and its `etc_environment` file (Lima's
 * `pkg/cidata/cidata.TEMPLATE.d/etc_environment`).
 */
import { logger } from "../log.ts";
import { quote } from "../quote.ts";
import { envFile } from "./lima_env.ts";

const PROXY_NAMES = [
  "ftp_proxy",
  "http_proxy",
  "https_proxy",
  "no_proxy",
] as const;

export interface GuestEnvironmentOptions {
  /** `env` of the filled config. */
  env: Record<string, string>;
  propagateProxyEnv: boolean;
  /** The environment of `limactl`, where proxy variables are taken from. */
  hostEnv: Record<string, string>;
  /** The address the guest reaches the host's loopback services at. */
  gateway: string;
}

function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, "$1").toLowerCase();
  return bare === "localhost" || bare === "::1" ||
    /^127(\.\d{1,3}){3}$/.test(bare);
}

/** Points a proxy address on the host's loopback at the gateway, keeping scheme, credentials and port. */
function rewriteLoopback(value: string, gateway: string): string {
  const match = /^([a-z][a-z0-9+.-]*:\/\/)?([^/@]*@)?(\[[^\]]*\]|[^:/]*)(.*)$/i
    .exec(value);
  if (!match) return value;
  const [, scheme = "", credentials = "", host, rest] = match;
  if (!isLoopbackHost(host)) return value;
  return `${scheme}${credentials}${gateway}${rest}`;
}

/**
 * `env` of the config, overridden by proxy variables of the `limactl` process when
 * `propagateProxyEnv` is set; loopback proxies point at the gateway, empty ones are dropped,
 * and the lower- and upper-case spellings end up equal (the lower-case one wins).
 */
export function guestEnvironment(
  options: GuestEnvironmentOptions,
): Record<string, string> {
  const env: Record<string, string> = { ...options.env };
  if (options.propagateProxyEnv) {
    for (const lower of PROXY_NAMES) {
      for (const name of [lower, lower.toUpperCase()]) {
        const value = options.hostEnv[name];
        if (value === undefined) continue;
        if (name in env && env[name] !== value) {
          logger.info(
            `Overriding ${quote(name)} value ${quote(env[name])} with ${
              quote(value)
            } from limactl process environment`,
          );
        }
        env[name] = value;
      }
    }
  }
  for (const lower of PROXY_NAMES) {
    for (const name of [lower, lower.toUpperCase()]) {
      if (!(name in env)) continue;
      if (env[name] === "") {
        delete env[name];
        continue;
      }
      // no_proxy lists hosts the guest reaches directly; its loopback entries mean the guest itself.
      if (lower === "no_proxy") continue;
      const value = rewriteLoopback(env[name], options.gateway);
      if (value !== env[name]) {
        logger.info(
          `Replacing ${quote(name)} value ${quote(env[name])} with ${
            quote(value)
          }`,
        );
        env[name] = value;
      }
    }
  }
  for (const lower of PROXY_NAMES) {
    const upper = lower.toUpperCase();
    if (lower in env) {
      if (upper in env && env[upper] !== env[lower]) {
        logger.warn(
          `Changing ${quote(upper)} value from ${quote(env[upper])} to ${
            quote(env[lower])
          } to match ${quote(lower)}`,
        );
      }
      env[upper] = env[lower];
    } else if (upper in env) {
      env[lower] = env[upper];
    }
  }
  return env;
}

/** The `#LIMA-START` … `#LIMA-END` block that `07-etc-environment.sh` puts into `/etc/environment`. */
export function renderEtcEnvironment(env: Record<string, string>): string {
  const body = envFile(
    Object.keys(env).sort().map((key) => [key, env[key]]),
    "etc_environment",
  );
  return `#LIMA-START\n${body}#LIMA-END\n`;
}
