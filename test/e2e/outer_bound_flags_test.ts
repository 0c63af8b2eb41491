// End to end: `talon gateway --allow-run=git` bounds every tool call, as a binary's user would narrow it.
import assert from "node:assert/strict";
import { spawnTalon } from "../helpers/process.ts";

async function turn(gw: { url: string; token: string }, text: string): Promise<string> {
  const res = await fetch(`${gw.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${gw.token}`, "content-type": "application/json" },
    body: JSON.stringify({ model: "talon/main", messages: [{ role: "user", content: text }] }),
    signal: AbortSignal.timeout(60_000),
  });
  const body = await res.json();
  assert.equal(res.status, 200, JSON.stringify(body));
  return body.choices[0].message.content as string;
}

Deno.test("talon gateway --allow-run=git: exec git runs, exec curl is refused naming the outer bound", async () => {
  const home = await Deno.makeTempDir({ prefix: "talon-bound-e2e-" });
  const token = crypto.randomUUID() + crypto.randomUUID();
  await Deno.writeTextFile(
    `${home}/talon.json`,
    JSON.stringify({
      gateway: { port: 0 },
      logging: { console: false },
      agents: { defaults: { model: { primary: "echo/echo" } } },
      tools: { exec: { allowPrograms: ["git", "curl"], ask: "off" } },
    }),
  );
  const proc = spawnTalon(["gateway", "--allow-run=git", "--allow-read=/usr,/etc"], {
    TALON_HOME: home,
    TALON_TOKEN: token,
  });
  try {
    const m = await proc.waitForLine(/listening on (http:\/\/[\d.:]+)/, 60_000);
    await proc.waitForLine(/Tools are bounded by: .*--allow-run=git/, 10_000);
    const gw = { url: m[1]!, token };
    const curl = await turn(gw, '/tool exec {"argv":["curl","--version"]}');
    assert.match(curl, /run \/usr\/bin\/curl is outside the gateway's outer bound/);
    assert.doesNotMatch(curl, /libcurl/, "curl did not run");
    const git = await turn(gw, '/tool exec {"argv":["git","--version"]}');
    assert.match(git, /git version \d/);
    const write = await turn(gw, '/tool write {"path":"x.txt","content":"hi"}');
    assert.match(write, /outer bound/, "write is not in the bound, so it is denied to tools");
    await assert.rejects(Deno.stat(`${home}/workspace/x.txt`));
  } finally {
    await proc[Symbol.asyncDispose]();
    await Deno.remove(home, { recursive: true }).catch(() => {});
  }
});

Deno.test("talon gateway refuses a permission flag it cannot apply to tools", async () => {
  const home = await Deno.makeTempDir({ prefix: "talon-bound-e2e-" });
  const proc = spawnTalon(["gateway", "--allow-ffi"], { TALON_HOME: home });
  try {
    await proc.waitForLine(/--allow-ffi is not supported as an outer bound/, 30_000);
    assert.equal((await proc.child.status).code, 2);
  } finally {
    await proc[Symbol.asyncDispose]();
    await Deno.remove(home, { recursive: true }).catch(() => {});
  }
});
