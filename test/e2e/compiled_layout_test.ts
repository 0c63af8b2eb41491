// The binary's layout: only what `deno compile` embeds, in a folder of its own, run with the binary's
// baked-in permissions and --cached-only. A run-time load the compile would miss fails here.
import assert from "node:assert/strict";
import { buildCompiledLayout, layoutRunArgs } from "../../scripts/compiled_layout.ts";

const ROOT = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");

interface LayoutGateway {
  url: string;
  token: string;
  home: string;
  turn(text: string): Promise<string>;
  stop(): Promise<void>;
}

async function startFromLayout(layout: string, tools: Record<string, unknown>): Promise<LayoutGateway> {
  const home = await Deno.makeTempDir({ prefix: "talon-layout-home-" });
  const token = crypto.randomUUID() + crypto.randomUUID();
  await Deno.mkdir(`${home}/workspace/main`, { recursive: true });
  await Deno.writeTextFile(`${home}/workspace/main/notes.md`, "layout-marker-7731\n");
  await Deno.writeTextFile(
    `${home}/talon.json`,
    JSON.stringify({
      gateway: { port: 0 },
      logging: { console: false },
      agents: { defaults: { model: { primary: "echo/echo" } } },
      tools,
    }),
  );
  const child = new Deno.Command(Deno.execPath(), {
    args: layoutRunArgs(layout, ["gateway"]),
    cwd: home, // nowhere near the source tree
    env: {
      TALON_HOME: home,
      TALON_TOKEN: token,
      NO_COLOR: "1",
      HOME: home,
      PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
      DENO_DIR: denoDir(),
    },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let text = "";
  const pump = (s: ReadableStream<Uint8Array>) =>
    (async () => {
      for await (const c of s.pipeThrough(new TextDecoderStream())) text += c;
    })();
  const pumps = Promise.all([pump(child.stdout), pump(child.stderr)]);
  const stop = async () => {
    try {
      child.kill("SIGTERM");
    } catch { /* gone */ }
    const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    await child.status;
    clearTimeout(timer);
    await pumps;
    await Deno.remove(home, { recursive: true }).catch(() => {});
  };
  const deadline = Date.now() + 60_000;
  let url: string | undefined;
  while (!url) {
    url = /listening on (http:\/\/[\d.:]+)/.exec(text)?.[1];
    if (url) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the layout's gateway did not listen within 60 s:\n${text}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const turn = async (content: string) => {
    const res = await fetch(`${url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "talon/main", messages: [{ role: "user", content }] }),
      signal: AbortSignal.timeout(60_000),
    });
    const body = await res.json();
    assert.equal(res.status, 200, `${JSON.stringify(body)}\n${text}`);
    return body.choices[0].message.content as string;
  };
  return { url, token, home, turn, stop };
}

/** Deno's cache folder, so the layout's run finds the npm packages (and fetches nothing: --cached-only). */
function denoDir(): string {
  const out = new Deno.Command(Deno.execPath(), { args: ["info", "--json"], stdout: "piped" }).outputSync();
  return JSON.parse(new TextDecoder().decode(out.stdout)).denoDir;
}

Deno.test("compiled layout: readyz, Control UI, read, exec and a guarded web_fetch work with only the embedded files", async (t) => {
  const layout = await Deno.makeTempDir({ prefix: "talon-layout-" });
  try {
    const files = await buildCompiledLayout(ROOT, layout);
    assert.ok(!files.some((f) => f.startsWith("test/") || f.startsWith("scripts/")), "no tests or scripts");

    await t.step("worker sandbox", async () => {
      const gw = await startFromLayout(layout, { exec: { allowPrograms: ["echo"] } });
      try {
        const ready = await fetch(`${gw.url}/readyz`);
        assert.deepEqual(await ready.json(), { ok: true, store: "ready" });
        const page = await (await fetch(`${gw.url}/`)).text();
        assert.match(page, /<title>Talon<\/title>/);
        const src = /<script type="module" src="([^"]+)"/.exec(page)?.[1];
        assert.ok(src, "the page names its bundle");
        const bundle = await fetch(`${gw.url}${src}`);
        assert.equal(bundle.status, 200);
        assert.ok((await bundle.arrayBuffer()).byteLength > 1000, "the bundle is served");
        assert.match(await gw.turn('/tool read {"path":"notes.md"}'), /layout-marker-7731/);
        assert.match(await gw.turn('/tool exec {"argv":["echo","exec-from-layout"]}'), /exec-from-layout/);
        const fetched = await gw.turn('/tool web_fetch {"url":"http://127.0.0.1:9/secret"}');
        assert.match(fetched, /loopback|private|refused|not allowed|blocked/i, fetched);
      } finally {
        await gw.stop();
      }
    });

    await t.step("process sandbox (the child's entry is embedded too)", async () => {
      const gw = await startFromLayout(layout, { sandbox: "process" });
      try {
        assert.match(await gw.turn('/tool read {"path":"notes.md"}'), /layout-marker-7731/);
      } finally {
        await gw.stop();
      }
    });

    await t.step("scripts/smoke_binary.sh passes against the layout", async () => {
      const wrapper = `${layout}/talon`;
      const argv = layoutRunArgs(layout, []).map((a) => `'${a}'`).join(" ");
      await Deno.writeTextFile(wrapper, `#!/bin/sh\nexec '${Deno.execPath()}' ${argv} "$@"\n`);
      await Deno.chmod(wrapper, 0o755);
      const out = await new Deno.Command("bash", {
        args: [`${ROOT}/scripts/smoke_binary.sh`, wrapper],
        cwd: layout,
        env: { DENO_DIR: denoDir(), NO_COLOR: "1" },
        stdout: "piped",
        stderr: "piped",
        signal: AbortSignal.timeout(180_000),
      }).output();
      const said = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
      assert.equal(out.code, 0, said);
      assert.match(said, /smoke: passed/);
    });
  } finally {
    await Deno.remove(layout, { recursive: true });
  }
});
