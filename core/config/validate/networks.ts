/** `networks`: what each interface attaches to. */
import { quote } from "../../quote.ts";
import type { Network } from "../schema.ts";
import type { Check } from "./check.ts";
import { driversWhere } from "./driver_rules.ts";
import { field } from "./messages.ts";
import { checkAddressing } from "./network_addressing.ts";

export function checkNetworks(c: Check): void {
  const interfaces = new Map<string, number>();
  c.y.networks?.forEach((nw, i) => {
    const path = `networks[${i}]`;
    checkAttachment(c, path, nw);
    checkAddressing(c, path, nw, i, interfaces);
  });
}

/** Exactly one of `lima`, `socket` and `vzNAT`, each usable here. */
function checkAttachment(c: Check, path: string, nw: Network): void {
  const f = (name: string) => field(`${path}.${name}`);
  const set = [
    nw.lima ? "lima" : "",
    nw.socket ? "socket" : "",
    nw.vzNAT ? "vzNAT" : "",
  ].filter(Boolean);
  if (set.length === 0) {
    c.fail(path, `${f("lima")}, ${f("socket")} or ${f("vzNAT")} must be set`);
  } else if (set.length > 1) {
    c.fail(
      `${path}.${set[0]}`,
      `${f(set[0])} and ${f(set[1])} are mutually exclusive`,
    );
  }
  if (nw.lima) checkLimaNetwork(c, path, nw.lima);
  if (nw.socket) checkSocket(c, path, nw.socket);
  if (nw.vzNAT) checkProvider(c, path, "vzNAT");
}

/** An attachment only some drivers provide (declared in their manifests) needs one of them. */
function checkProvider(c: Check, path: string, attachment: string): void {
  const vmType = c.y.vmType;
  if (vmType == null || c.rules.networks?.includes(attachment)) return;
  const providers = driversWhere(
    c.drivers,
    (r) => r.networks?.includes(attachment),
  );
  c.fail(
    `${path}.${attachment}`,
    `${field(`${path}.${attachment}`)} requires \`vmType: ${
      providers.join(" or ")
    }\`, got ${quote(vmType)}`,
  );
}

/** A network of networks.yaml; only `user-v2` ones work off macOS. */
function checkLimaNetwork(c: Check, path: string, name: string): void {
  if (!c.networkModes) return;
  const mode = c.networkModes[name];
  if (mode === undefined) {
    c.fail(
      `${path}.lima`,
      `${field(`${path}.lima`)} references network ${
        quote(name)
      } which is not defined in networks.yaml`,
    );
  } else if (mode !== "user-v2" && c.hostOS !== "darwin") {
    // Lima's words, then which network and which host, so the user sees what to change.
    c.fail(
      `${path}.lima`,
      `${field(`${path}.lima`)} is only supported on macOS right now: network ${
        quote(name)
      } (mode ${
        quote(mode)
      }) runs on socket_vmnet, which does not exist on this ${c.hostOS} host`,
    );
  }
}

function checkSocket({ fail }: Check, path: string, socket: string): void {
  try {
    if (!Deno.statSync(socket).isSocket) {
      fail(
        `${path}.socket`,
        `${field(`${path}.socket`)} ${
          quote(socket)
        } points to a non-socket file`,
      );
    }
  } catch {
    // A socket that does not exist yet is started by the user before the instance.
  }
}
