/** Spawns the real `talon` process (deno run main.ts …) for end-to-end tests. */
import { GATEWAY_FLAGS } from "../../src/core/runtime_flags.ts";
const MAIN = new URL("../../main.ts", import.meta.url).pathname;

export interface TalonProcess {
  child: Deno.ChildProcess;
  /** Resolves with the first stdout line matching `re`. */
  waitForLine(re: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  output(): string;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Runs `talon <args>`; `runFlags` go to `deno run` (e.g. `--inspect=127.0.0.1:9229`). */
export function spawnTalon(
  args: string[],
  env: Record<string, string>,
  runFlags: string[] = [],
): TalonProcess {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "--unstable-worker-options", ...GATEWAY_FLAGS, ...runFlags, MAIN, ...args],
    env: { ...cleanEnv(), ...env, NO_COLOR: "1" },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let text = "";
  const waiters: { re: RegExp; resolve(m: RegExpMatchArray): void }[] = [];
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      text += chunk;
      for (const w of [...waiters]) {
        const m = text.match(w.re);
        if (m) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(m);
        }
      }
    }
  };
  const pumps = Promise.all([pump(child.stdout), pump(child.stderr)]);
  return {
    child,
    output: () => text,
    waitForLine(re, timeoutMs = 30_000) {
      const m = text.match(re);
      if (m) return Promise.resolve(m);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`Timed out waiting for ${re}; output:\n${text}`)),
          timeoutMs,
        );
        waiters.push({ re, resolve: (m) => (clearTimeout(timer), resolve(m)) });
        // After the exit, the pumps still deliver what the process wrote: judge only once they are done.
        child.status.then(() => pumps).then(() => {
          clearTimeout(timer);
          const last = text.match(re);
          if (last) return resolve(last);
          reject(new Error(`Process exited before ${re}; output:\n${text}`));
        });
      });
    },
    async [Symbol.asyncDispose]() {
      try {
        child.kill("SIGKILL");
      } catch { /* already exited */ }
      await child.status;
      await pumps;
    },
  };
}

/**
 * The parent's environment minus anything that would change Talon's behaviour (TALON_*, provider keys);
 * HOME and Deno's cache settings stay so the child finds the module cache.
 */
function cleanEnv(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(Deno.env.toObject())) {
    if (/^(TALON_|OPENAI_|ANTHROPIC_|TELEGRAM_|DISCORD_)/.test(k)) continue;
    out[k] = v;
  }
  return out;
}

export interface ProviderGateway extends TalonProcess {
  /** `http://127.0.0.1:PORT` of the gateway. */
  url: string;
  home: string;
  /** The gateway token (set with TALON_TOKEN). */
  token: string;
}

/**
 * A real `talon gateway` process in a temporary TALON_HOME whose default model is `fake/<model>` on an
 * OpenAI-compatible fake provider at `providerUrl`. Disposing it kills the process and removes the home.
 */
export async function spawnProviderGateway(
  o: {
    providerUrl: string;
    model: string;
    prefix: string;
    /** Merged into the config's `agents` (e.g. shards, maxConcurrent). */
    agents?: Record<string, unknown>;
    /** Merged into the fake provider's entry (e.g. maxConcurrent). */
    provider?: Record<string, unknown>;
    runFlags?: string[];
  },
): Promise<ProviderGateway> {
  const home = await Deno.makeTempDir({ prefix: o.prefix });
  const token = crypto.randomUUID() + crypto.randomUUID();
  await Deno.writeTextFile(
    `${home}/talon.json`,
    JSON.stringify({
      gateway: { port: 0 },
      logging: { console: false },
      providers: {
        fake: { api: "openai-chat", baseUrl: o.providerUrl, apiKey: "test-key", ...o.provider },
      },
      agents: { defaults: { model: { primary: `fake/${o.model}` } }, ...o.agents },
    }),
  );
  const proc = spawnTalon(["gateway"], { TALON_HOME: home, TALON_TOKEN: token }, o.runFlags);
  const dispose = async () => {
    await proc[Symbol.asyncDispose]();
    await Deno.remove(home, { recursive: true }).catch(() => {});
  };
  try {
    const m = await proc.waitForLine(/listening on (http:\/\/[\d.:]+)/, 60_000);
    return { ...proc, url: m[1]!, home, token, [Symbol.asyncDispose]: dispose };
  } catch (err) {
    await dispose();
    throw err;
  }
}

/**
 * One agent turn through the gateway's OpenAI-compatible endpoint (non-streaming) in session
 * `sessionKey`; throws unless the answer is 200.
 */
export async function sendV1Turn(
  gw: { url: string; token: string },
  sessionKey: string,
  text: string,
): Promise<void> {
  const res = await fetch(`${gw.url}/v1/chat/completions`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${gw.token}`,
      "content-type": "application/json",
      "x-talon-session-key": sessionKey,
    },
    body: JSON.stringify({ model: "talon/main", messages: [{ role: "user", content: text }] }),
  });
  if (res.status !== 200) throw new Error(`turn failed: ${res.status} ${await res.text()}`);
  await res.body?.cancel();
}
