import assert from "node:assert/strict";
import {
  buildSystemPrompt,
  DEFAULT_WORKSPACE_FILES,
  ensureWorkspace,
  formatNow,
  measureRequestBytes,
  readWorkspaceFiles,
} from "../../src/agent/prompt.ts";
import { createStaticToolExecutor } from "../../src/agent/static_tools.ts";
import { createCurrentTimeTool } from "../../src/tools/current_time.ts";

async function withDir(f: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "talon-prompt-" });
  try {
    await f(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("workspace: created with the default files once; an existing one is left alone", async () => {
  await withDir(async (root) => {
    const dir = `${root}/workspace/main`;
    assert.equal(await ensureWorkspace(dir), true);
    for (const [name, text] of Object.entries(DEFAULT_WORKSPACE_FILES)) {
      assert.equal(await Deno.readTextFile(`${dir}/${name}`), text);
    }
    await Deno.writeTextFile(`${dir}/SOUL.md`, "# Soul\nGrumpy.");
    await Deno.remove(`${dir}/MEMORY.md`);
    assert.equal(await ensureWorkspace(dir), false);
    assert.equal(await Deno.readTextFile(`${dir}/SOUL.md`), "# Soul\nGrumpy.");
    const files = await readWorkspaceFiles(dir);
    assert.deepEqual(files.map((f) => f.name), ["AGENTS.md", "SOUL.md", "USER.md"]);
  });
});

Deno.test("prompt: files over the cap are cut at a character boundary with a visible notice", async () => {
  await withDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/AGENTS.md`, "ü".repeat(100)); // 200 bytes
    await Deno.writeTextFile(`${dir}/USER.md`, "   \n");
    const files = await readWorkspaceFiles(dir, 51);
    assert.equal(files.length, 1, "blank files are skipped");
    assert.equal(files[0]!.text, "ü".repeat(25));
    assert.equal(files[0]!.truncated, true);
    assert.equal(files[0]!.bytes, 200);
    const prompt = buildSystemPrompt({ agentId: "main", files, now: 0, capBytes: 51 });
    assert.match(
      prompt,
      /\[… AGENTS\.md truncated: the file is 200 bytes and only the first 51 are included/,
    );
  });
});

Deno.test("prompt: identity, date and time from the clock, files in order, compaction summary", () => {
  const prompt = buildSystemPrompt({
    agentId: "ops",
    agentName: "Ops Bot",
    files: [
      { name: "AGENTS.md", text: "do things", bytes: 9, truncated: false },
      { name: "MEMORY.md", text: "likes tea", bytes: 9, truncated: false },
    ],
    now: Date.UTC(2025, 11, 24, 18, 5, 59),
    summary: "earlier: talked about tea",
  });
  assert.match(prompt, /^You are Ops Bot \(agent "ops"\)/);
  assert.match(prompt, /Current date and time: 2025-12-24 18:05 UTC \(Wednesday\)\./);
  assert.ok(prompt.indexOf("## AGENTS.md\ndo things") < prompt.indexOf("## MEMORY.md\nlikes tea"));
  assert.match(prompt, /## Summary of the earlier conversation\nearlier: talked about tea$/);
  assert.equal(formatNow(0), "1970-01-01 00:00 UTC (Thursday)");
});

Deno.test("prompt: the default prompt plus the tool schemas stay under 12 KB; bytes are measured", async () => {
  await withDir(async (root) => {
    const dir = `${root}/main`;
    await ensureWorkspace(dir);
    const system = buildSystemPrompt({ agentId: "main", files: await readWorkspaceFiles(dir), now: 0 });
    const tools = createStaticToolExecutor([createCurrentTimeTool({ clock: { now: () => 0 } })]).specs({
      sessionKey: "s",
      agentId: "main",
      workspace: dir,
    });
    const bytes = measureRequestBytes({ system, messages: [{ role: "user", content: "hi" }], tools });
    assert.ok(bytes < 12 * 1024, `default request is ${bytes} bytes`);
    assert.ok(bytes > system.length, "system, messages and tools are all counted");
    assert.equal(
      measureRequestBytes({ system: "é", messages: [], tools: [] }),
      new TextEncoder().encode(JSON.stringify({ system: "é", messages: [], tools: [] })).length,
    );
  });
});

Deno.test("workspace: two workers creating it at the same moment both succeed", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const results = await Promise.all([
      ensureWorkspace(`${dir}/w`),
      ensureWorkspace(`${dir}/w`),
      ensureWorkspace(`${dir}/w`),
    ]);
    assert.ok(results.some((r) => r === true));
    assert.ok((await Deno.readTextFile(`${dir}/w/AGENTS.md`)).length > 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("workspace reader: creates the workspace once, re-reads edited files after maxAgeMs", async () => {
  const { createWorkspaceReader } = await import("../../src/agent/prompt.ts");
  const dir = await Deno.makeTempDir();
  try {
    let now = 0;
    const reader = createWorkspaceReader({ now: () => now, maxAgeMs: 1000 });
    const first = await reader.read(`${dir}/w`);
    assert.ok(first.some((f) => f.name === "AGENTS.md"));
    await Deno.writeTextFile(`${dir}/w/AGENTS.md`, "Always answer in French.");
    now = 500;
    assert.doesNotMatch((await reader.read(`${dir}/w`)).find((f) => f.name === "AGENTS.md")!.text, /French/);
    now = 1500;
    assert.match((await reader.read(`${dir}/w`)).find((f) => f.name === "AGENTS.md")!.text, /French/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
