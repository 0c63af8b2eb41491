import assert from "node:assert/strict";
import { createRunDirs, runWorkspace, scratchDirFor, workspaceFor } from "../../src/agent/run_workspace.ts";
import { validateConfig } from "../../src/config/load.ts";
import { tempHome } from "../helpers/temp.ts";

const config = validateConfig({}, { env: {}, file: "t.json" });

Deno.test("owner, cron and system runs work in the agent workspace; others in their session's scratch dir", async () => {
  await using home = await tempHome();
  const paths = { workspaceDir: `${home.dir}/workspace` };
  await Deno.mkdir(workspaceFor(config, paths, "main"), { recursive: true });
  const agent = await Deno.realPath(workspaceFor(config, paths, "main"));
  for (const kind of ["owner", "cron", "system"] as const) {
    assert.equal(
      await runWorkspace(config, paths, { agentId: "main", sessionKey: "k", principal: { kind } }),
      agent,
    );
  }
  const group = await runWorkspace(config, paths, {
    agentId: "main",
    sessionKey: "agent:main:telegram:group:-100",
    principal: { kind: "group" },
  });
  assert.ok(group.startsWith(`${await Deno.realPath(paths.workspaceDir)}/.scratch/main/`), group);
  assert.ok(!group.startsWith(agent + "/") && group !== agent, "never inside the agent workspace");
  assert.equal((await Deno.stat(group)).isDirectory, true);
  const other = await scratchDirFor(paths, "main", "agent:main:telegram:group:-101");
  assert.notEqual(other, group, "sessions do not share a scratch dir");
  const lookalike = await scratchDirFor(paths, "main", "agent:main:telegram:group:-100/");
  assert.notEqual(lookalike, await scratchDirFor(paths, "main", "agent:main:telegram:group:-100_"));
});

Deno.test("run dirs: a directory checked within maxAgeMs is not created again; later it is", async () => {
  await using home = await tempHome();
  const paths = { workspaceDir: `${home.dir}/workspace` };
  let now = 1000;
  const dirs = createRunDirs({ now: () => now, maxAgeMs: 1000 });
  const run = { agentId: "main", sessionKey: "k", principal: { kind: "owner" as const } };
  const first = await dirs.get(config, paths, run);
  assert.equal(first, await Deno.realPath(workspaceFor(config, paths, "main")));
  await Deno.remove(first, { recursive: true });
  now += 999;
  assert.equal(await dirs.get(config, paths, run), first, "remembered path");
  await assert.rejects(Deno.stat(first), Deno.errors.NotFound, "no file-system call within maxAgeMs");
  now += 1;
  assert.equal(await dirs.get(config, paths, run), first);
  assert.equal((await Deno.stat(first)).isDirectory, true, "created again once maxAgeMs passed");
});

Deno.test("run dirs: at most `max` directories are remembered; an evicted one is created again", async () => {
  await using home = await tempHome();
  const paths = { workspaceDir: `${home.dir}/workspace` };
  const dirs = createRunDirs({ now: () => 0, maxAgeMs: 60_000, max: 2 });
  const run = (sessionKey: string) => ({ agentId: "main", sessionKey, principal: { kind: "api" as const } });
  const a = await dirs.get(config, paths, run("agent:main:a"));
  const b = await dirs.get(config, paths, run("agent:main:b"));
  await dirs.get(config, paths, run("agent:main:a")); // a is now the most recently used
  const c = await dirs.get(config, paths, run("agent:main:c")); // evicts b
  for (const d of [a, b, c]) await Deno.remove(d, { recursive: true });
  assert.equal(await dirs.get(config, paths, run("agent:main:a")), a);
  await assert.rejects(Deno.stat(a), Deno.errors.NotFound, "a is still remembered");
  assert.equal(await dirs.get(config, paths, run("agent:main:b")), b);
  assert.equal((await Deno.stat(b)).isDirectory, true, "b was evicted, so it is checked and created again");
  assert.notEqual(a, b);
});
