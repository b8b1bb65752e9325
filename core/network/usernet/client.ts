/**
 * The HTTP API of a user-v2 network's gvproxy on its endpoint socket (gvisor-tap-vsock's
 * `pkg/services`; Lima's `pkg/networks/usernet/client.go`): DHCP leases, port exposure and DNS
 * records.
 */
import { LimaError } from "../../errors.ts";
import { quote } from "../../quote.ts";
import type { DNSZone } from "./dns_zones.ts";
import type { Leases } from "./leases.ts";

export class UsernetClient implements Disposable {
  readonly #client: Deno.HttpClient;
  readonly #socket: string;

  constructor(endpointSocket: string) {
    this.#socket = endpointSocket;
    this.#client = Deno.createHttpClient({
      proxy: { transport: "unix", path: endpointSocket },
    });
  }

  async #request(path: string, body?: unknown): Promise<string> {
    let res: Response;
    try {
      res = await fetch(`http://lima${path}`, {
        client: this.#client,
        method: body === undefined ? "GET" : "POST",
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(10_000),
      });
    } catch (err) {
      throw new LimaError({
        summary: `the user-v2 network daemon did not answer on ${
          quote(this.#socket)
        }`,
        detail: String(err),
      });
    }
    const text = await res.text();
    if (!res.ok) {
      throw new LimaError({
        summary: `the user-v2 network daemon refused ${path}`,
        detail: `${res.status} ${text.trim()}`,
      });
    }
    return text;
  }

  /** IP → MAC of every lease, the gateway's included. */
  async leases(): Promise<Leases> {
    return JSON.parse(await this.#request("/services/dhcp/leases")) as Leases;
  }

  /** Forwards host address LOCAL (`127.0.0.1:PORT`) to guest address REMOTE over TCP. */
  async expose(local: string, remote: string): Promise<void> {
    await this.#request("/services/forwarder/expose", {
      local,
      remote,
      protocol: "tcp",
    });
  }

  async unexpose(local: string): Promise<void> {
    await this.#request("/services/forwarder/unexpose", {
      local,
      protocol: "tcp",
    });
  }

  async addDNS(zone: DNSZone): Promise<void> {
    await this.#request("/services/dns/add", {
      name: zone.name,
      records: zone.records,
      ...(zone.defaultIP ? { defaultIP: zone.defaultIP } : {}),
    });
  }

  [Symbol.dispose](): void {
    this.#client.close();
  }
}
