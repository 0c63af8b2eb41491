/**
 * Run as a child process with narrow --allow-* flags by sandbox_outer_bound_test.ts: executes tool calls
 * through the real registry and prints their results as JSON.
 * Usage: deno run --allow-read=<ws> --allow-run=echo --unstable-worker-options tools_outer_child.ts <ws>
 */
import { configSchema } from "../../src/config/schema.ts";
import { createToolRegistry } from "../../src/tools/registry.ts";
import { createSandbox } from "../../src/tools/sandbox/sandbox.ts";
import { createExecTool } from "../../src/tools/exec.ts";
import { createReadTool } from "../../src/tools/fs_read.ts";
import { createApprovals } from "../../src/tools/approvals.ts";
import { createProcessTable } from "../../src/tools/processes.ts";
import { createEventBus } from "../../src/core/event_bus.ts";
import type { ApprovalRepo } from "../../src/tools/approval_repo.ts";
import { createConfiner } from "../../src/security/confine.ts";

const workspace = Deno.args[0]!;
const config = configSchema.parse({
  tools: { profile: "full", exec: { ask: "off", allowPrograms: ["echo", "env"] } },
});
const noRepo = {} as ApprovalRepo; // ask=off with listed programs never touches the repo
const approvals = createApprovals({ config: config.tools, repo: noRepo, bus: createEventBus() });
const reg = createToolRegistry({
  config,
  sandbox: createSandbox({ timeoutMs: 20_000 }),
  tools: [
    createExecTool({
      config: config.tools,
      approvals,
      processes: createProcessTable(),
      env: { PATH: "/usr/bin:/bin" },
      confiner: createConfiner({ mode: "auto", os: Deno.build.os, path: "/usr/bin:/bin" }),
    }),
    createReadTool(),
  ],
});
const ctx = {
  runId: "run_child",
  sessionKey: "agent:main:main",
  agentId: "main",
  workspace,
  signal: new AbortController().signal,
};
const results = [
  await reg.execute("exec", { argv: ["echo", "allowed"] }, ctx),
  await reg.execute("exec", { argv: ["env"] }, ctx),
  await reg.execute("read", { path: "a.txt" }, ctx),
];
console.log(JSON.stringify(results));
