/**
 * Config fuzzing: random mutations of a valid talon.json. The in-process validator is the oracle for
 * hundreds of mutations; a sample is started as a real `talon gateway` process: a config the validator
 * refuses must make the process exit 78 with an error before it opens a port or creates any state, and a
 * config it accepts must either come up fully (/readyz 200) or exit non-zero with a reason — never hang.
 */
import assert from "node:assert/strict";
import { get } from "node:http";
import { validateConfig } from "../../src/config/load.ts";
import { ConfigError } from "../../src/core/errors.ts";
import { spawnTalon } from "../helpers/process.ts";
import { tempHome } from "../helpers/temp.ts";
import { createRng, fuzzSeed, mutateObject, mutateText, type Rng } from "./fuzz.ts";

const ORACLE_MUTATIONS = 2000;
const SPAWNED = Number(Deno.env.get("CONFIG_FUZZ_SPAWNS") ?? 24);

const BASE = {
  gateway: { port: 0, bind: "127.0.0.1", limits: { maxFrameBytes: 65_536 } },
  logging: { console: false, level: "info" },
  providers: {
    fake: { api: "openai-chat", baseUrl: "http://127.0.0.1:9/v1", apiKey: "${FAKE_KEY}", timeoutMs: 30_000 },
    echo: { api: "echo" },
  },
  agents: {
    defaults: { model: { primary: "fake/gpt-test", fallbacks: ["echo/echo"] } },
    list: [{ id: "main" }, { id: "helper", model: { primary: "echo/echo" } }],
    maxConcurrent: 4,
  },
  session: { dmScope: "per-peer" },
  tools: { profile: "minimal" },
};

const ENV = { FAKE_KEY: "k" };

function mutate(rng: Rng): string {
  let obj: Record<string, unknown> = structuredClone(BASE);
  for (let n = 1 + rng.int(3); n > 0; n--) obj = mutateObject(rng, obj);
  const text = JSON.stringify(obj, null, 2);
  return rng.chance(0.25) ? mutateText(rng, text) : text;
}

function oracle(text: string): "valid" | "invalid" {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return "invalid";
  }
  try {
    validateConfig(raw, { env: ENV, file: "talon.json" });
    return "valid";
  } catch (err) {
    if (err instanceof ConfigError) return "invalid";
    throw err;
  }
}

Deno.test("config fuzz: the validator never crashes on mutated configs and the base config is valid", () => {
  assert.equal(oracle(JSON.stringify(BASE)), "valid");
  const rng = createRng(fuzzSeed());
  const counts = { valid: 0, invalid: 0 };
  for (let i = 0; i < ORACLE_MUTATIONS; i++) counts[oracle(mutate(rng))]++;
  console.log(`oracle: ${counts.valid} valid, ${counts.invalid} invalid of ${ORACLE_MUTATIONS}`);
  assert.ok(counts.invalid > ORACLE_MUTATIONS / 4, "most mutations break the config");
});

Deno.test("config fuzz: the gateway process refuses bad configs with exit 78 and never starts half-configured", async () => {
  const seed = fuzzSeed();
  const rng = createRng(seed + 7);
  // A balanced sample: half refused by the validator, half accepted.
  const picks: Array<{ text: string; verdict: "valid" | "invalid" }> = [];
  const want = { valid: Math.floor(SPAWNED / 2), invalid: Math.ceil(SPAWNED / 2) };
  for (let i = 0; i < 20_000 && (want.valid > 0 || want.invalid > 0); i++) {
    const text = mutate(rng);
    const verdict = oracle(text);
    // Only start configs whose every URL stays on loopback.
    if (verdict === "valid" && /https?:\/\/(?!127\.0\.0\.1[:/])/.test(text)) continue;
    if (want[verdict] > 0) {
      want[verdict]--;
      picks.push({ text, verdict });
    }
  }
  const outcomes = { refused78: 0, cameUp: 0, failedAtStart: 0 };
  const one = async ({ text, verdict }: (typeof picks)[number], i: number) => {
    await using home = await tempHome("talon-cfgfuzz-");
    await Deno.writeTextFile(`${home.dir}/talon.json`, text);
    await using proc = spawnTalon(["gateway"], { TALON_HOME: home.dir, ...ENV });
    const listening = proc.waitForLine(/listening on (http:\/\/\S+)/, 45_000).then(
      (m) => m[1]!,
      () => undefined,
    );
    const exited = proc.child.status.then((s) => s.code);
    const first = await Promise.race([listening.then((url) => ({ url })), exited.then((code) => ({ code }))]);
    const ctx = `mutation ${i} (seed ${seed}, ${verdict}):\n${text}\noutput:\n${proc.output()}`;
    if (verdict === "invalid") {
      const code = "code" in first ? first.code : await exited;
      assert.equal(code, 78, ctx);
      assert.match(proc.output(), /(Invalid|Cannot read) config .*talon\.json/, ctx);
      assert.match(proc.output(), /The gateway did not start/, ctx);
      assert.doesNotMatch(proc.output(), /listening on/, ctx);
      assert.equal(
        await Deno.stat(`${home.dir}/talon.db`).then(() => true, () => false),
        false,
        "no state created",
      );
      outcomes.refused78++;
      return;
    }
    if ("url" in first && first.url) {
      assert.equal(await readyzStatus(first.url), 200, ctx);
      outcomes.cameUp++;
    } else {
      const code = "code" in first ? first.code : await exited;
      assert.notEqual(code, 0, ctx);
      assert.match(proc.output(), /talon gateway: |error/i, ctx);
      outcomes.failedAtStart++;
    }
  };
  // Three at a time keeps a 2-core machine busy without starving the processes.
  for (let i = 0; i < picks.length; i += 3) {
    await Promise.all(picks.slice(i, i + 3).map((p, j) => one(p, i + j)));
  }
  console.log(`processes: ${JSON.stringify(outcomes)}`);
  assert.equal(picks.length, SPAWNED);
  assert.equal(outcomes.refused78, Math.ceil(SPAWNED / 2));
});

/**
 * GET <url>/readyz through node:http: a valid config may put the gateway on any port, and fetch() refuses
 * the ports on the WHATWG "bad ports" list (42, 87, 6000, …) that a server may still listen on.
 */
function readyzStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = get(`${url}/readyz`, { timeout: 15_000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("timeout", () => req.destroy(new Error(`${url}/readyz did not answer within 15 s`)));
    req.on("error", reject);
  });
}
