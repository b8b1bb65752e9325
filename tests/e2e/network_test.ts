/**
 * The user-mode network of a real instance: Lima's addresses, `host.lima.internal` reaching a
 * server on the host's loopback, and the host resolver answering `hostResolver.hosts` (names
 * without a dot too, which systemd-resolved otherwise asks only LLMNR about) and passing other
 * names to the host's own name servers. Its start also shows that every boot phase is logged.
 */
import assert from "node:assert/strict";
import { parse, stringify } from "yaml";
import { testTemplate } from "../fixtures/test_template.ts";
import {
  assertInOrder,
  eventPhases,
  loggedPhases,
  NORMAL_EVENTS,
  NORMAL_PHASES,
} from "./boot_phases.ts";
import { assertResolverHosts, RESOLVER_HOSTS } from "./guest_contract.ts";
import { guestImage, skipVMTests, start, withLima } from "./harness.ts";

Deno.test({
  name: "the guest sees Lima's user-mode network and the host resolver",
  ignore: skipVMTests,
}, async (t) => {
  const image = await guestImage();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    () => new Response("hello from the host\n"),
  );
  try {
    await withLima(async (lima) => {
      const template = parse(testTemplate(image));
      template.hostResolver = {
        hosts: { ...RESOLVER_HOSTS, "lima-alias": "10.20.30.41" },
      };
      const file = `${lima.home}/vm.yaml`;
      await Deno.writeTextFile(file, stringify(template));
      const started = await start(lima, ["--tty=false", file]);

      await t.step(
        "start logged every boot phase in order, and so did the events",
        async () => {
          assertInOrder(
            loggedPhases(started.stderr),
            NORMAL_PHASES,
            "start's log",
          );
          assertInOrder(await eventPhases(lima, "vm"), NORMAL_EVENTS, "events");
          // Lima's fields are still there for tools that read them.
          const events = (await Deno.readTextFile(
            `${lima.dir("vm")}/ha.stdout.log`,
          )).split("\n").filter(Boolean).map((l) => JSON.parse(l));
          assert.ok(
            events.some((e) => e.status.running && e.status.sshLocalPort),
          );
        },
      );

      await t.step(
        "the guest has 192.168.5.15 and uses 192.168.5.3",
        async () => {
          assert.match(
            await lima.sh("vm", "ip -4 -o addr show dev eth0"),
            /inet 192\.168\.5\.15\/24/,
          );
          assert.match(
            await lima.sh("vm", "resolvectl dns eth0 || cat /etc/resolv.conf"),
            /192\.168\.5\.3/,
          );
        },
      );

      await t.step("host.lima.internal is the host's loopback", async () => {
        assert.match(
          await lima.sh("vm", "getent hosts host.lima.internal"),
          /^192\.168\.5\.2\s/,
        );
        const port = server.addr.port;
        assert.equal(
          await lima.sh(
            "vm",
            `python3 -c "import urllib.request as u; print(u.urlopen('http://host.lima.internal:${port}/').read().decode(), end='')"`,
          ),
          "hello from the host",
        );
      });

      await t.step(
        "hostResolver.hosts names resolve, aliases too",
        () => assertResolverHosts(lima, "vm"),
      );

      await t.step(
        "a hostResolver.hosts name without a dot resolves, and so does the guest's own name",
        async () => {
          assert.match(
            await lima.sh("vm", "getent ahostsv4 lima-alias"),
            /^10\.20\.30\.41\s/,
          );
          assert.match(
            await lima.sh("vm", "getent ahostsv4 lima-vm"),
            /^\d+\.\d+\.\d+\.\d+\s/,
          );
        },
      );

      await t.step("other names are resolved by the host", async () => {
        const host = await Deno.resolveDns("deb.debian.org", "A").catch(
          () => [],
        );
        if (host.length === 0) return; // the host itself cannot resolve it
        assert.match(
          await lima.sh("vm", "getent ahostsv4 deb.debian.org"),
          /^\d+\.\d+\.\d+\.\d+\s/,
        );
      });
    });
  } finally {
    await server.shutdown();
  }
});
