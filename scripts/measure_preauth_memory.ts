/**
 * Pre-auth memory: how far one address can raise the gateway's RSS without a token. Spawns a real
 * `talon gateway`, then opens `--sockets` unauthenticated WebSockets from rotating loopback addresses
 * (127.0.1.N, one address for the gateway) and has each send one text frame of `--mb` MiB, the largest
 * Deno reassembles (64 MiB) minus one. Samples the gateway's VmRSS every 10 ms and reports the peak
 * over the idle baseline, and the kernel's high-water mark (VmHWM).
 *
 *   deno run -A scripts/measure_preauth_memory.ts [--sockets 32] [--mb 63] [--open-per-address 1]
 *     [--per-address 4]
 * Target: the increase stays under 256 MiB for one address with the default limits.
 */
import { Buffer } from "node:buffer";
import { parseArgs } from "node:util";
import { spawnTalon } from "../test/helpers/process.ts";
import { freePort } from "../test/helpers/ports.ts";
import { rawWs } from "../test/helpers/raw_ws.ts";

const args = parseArgs({
  options: {
    sockets: { type: "string", default: "32" },
    mb: { type: "string", default: "63" },
    "open-per-address": { type: "string" },
    "per-address": { type: "string" },
  },
});
const sockets = Number(args.values.sockets);
const mib = Number(args.values.mb);

function memKiB(pid: number): { rss: number; hwm: number } {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  return {
    rss: Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0),
    hwm: Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0),
  };
}

const home = await Deno.makeTempDir({ prefix: "talon-preauth-" });
const port = freePort();
const limits: Record<string, number> = {};
if (args.values["open-per-address"]) limits.preAuthOpenPerAddress = Number(args.values["open-per-address"]);
if (args.values["per-address"]) limits.preAuthPerAddress = Number(args.values["per-address"]);
await Deno.writeTextFile(
  `${home}/talon.json`,
  JSON.stringify({ gateway: { port, limits }, logging: { console: false } }),
);
await using gw = spawnTalon(["gateway"], { TALON_HOME: home, TALON_TOKEN: crypto.randomUUID().repeat(2) });
try {
  await gw.waitForLine(/listening on http/, 60_000);
  await new Promise((r) => setTimeout(r, 2000)); // let startup garbage settle
  const pid = gw.child.pid;
  const base = memKiB(pid);
  let peak = base.rss;
  const sampler = setInterval(() => (peak = Math.max(peak, memKiB(pid).rss)), 10);
  const frame = Buffer.alloc(mib * 1024 * 1024, 0x78); // "xxxx…": ASCII, the costliest string for V8
  const outcome = { upgraded: 0, refused: 0, sent: 0 };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: sockets }, async (_, i) => {
    const ws = rawWs({ port, localAddress: `127.0.1.${1 + (i % 250)}` });
    try {
      const status = await ws.status;
      if (status !== 101) {
        outcome.refused++;
        return;
      }
      outcome.upgraded++;
      await ws.sendText(frame);
      outcome.sent++;
      await ws.closed;
    } catch {
      // a deadline or reset: counted by what did not happen
    } finally {
      ws.destroy();
    }
  }));
  const seconds = (performance.now() - t0) / 1000;
  await new Promise((r) => setTimeout(r, 500));
  clearInterval(sampler);
  const end = memKiB(pid);
  const mb = (kib: number) => (kib / 1024).toFixed(0);
  console.log(
    `sockets ${sockets} × ${mib} MiB frame from one address (127.0.1.N), limits ${JSON.stringify(limits)}`,
  );
  console.log(
    `upgraded ${outcome.upgraded}, refused ${outcome.refused}, frames sent ${outcome.sent} in ${
      seconds.toFixed(1)
    } s`,
  );
  console.log(`RSS baseline ${mb(base.rss)} MiB, peak ${mb(peak)} MiB (+${mb(peak - base.rss)} MiB)`);
  console.log(`VmHWM before ${mb(base.hwm)} MiB, after ${mb(end.hwm)} MiB (+${mb(end.hwm - base.hwm)} MiB)`);
} finally {
  await Deno.remove(home, { recursive: true }).catch(() => {});
}
