import assert from "node:assert/strict";
import { runWorkspace, scratchDirFor, workspaceFor } from "../../src/agent/run_workspace.ts";
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
