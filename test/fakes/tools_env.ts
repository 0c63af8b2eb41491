/** Test helpers for tool tests: a temp workspace, a config, a registry and a call context. */
import { type Config, type ConfigInput, configSchema } from "../../src/config/schema.ts";
import { type AnyTool, createToolRegistry, type ToolRegistry } from "../../src/tools/registry.ts";
import { createSandbox, type Sandbox } from "../../src/tools/sandbox/sandbox.ts";
import type { ToolContext } from "../../src/tools/types.ts";
import type { AuditRepo } from "../../src/store/audit.ts";

/** A config from partial input with every default applied. */
export function toolsConfig(input: ConfigInput = {}): Config {
  return configSchema.parse(input);
}

export interface ToolsEnv {
  /** Canonical temp dir holding the workspace and an `outside` dir next to it. */
  root: string;
  workspace: string;
  outside: string;
  ctx(extra?: Partial<ToolContext>): ToolContext;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Creates `<tmp>/ws` and `<tmp>/outside`; removed on dispose. */
export async function toolsEnv(): Promise<ToolsEnv> {
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "talon_tools_" }));
  const workspace = `${root}/ws`;
  const outside = `${root}/outside`;
  await Deno.mkdir(workspace);
  await Deno.mkdir(outside);
  return {
    root,
    workspace,
    outside,
    ctx: (extra = {}) => ({
      runId: "run_test",
      sessionKey: "agent:main:main",
      agentId: "main",
      workspace,
      signal: new AbortController().signal,
      ...extra,
    }),
    async [Symbol.asyncDispose]() {
      await Deno.remove(root, { recursive: true });
    },
  };
}

/** A registry over `tools` with a worker sandbox. */
export function toolsRegistry(
  tools: AnyTool[],
  options: { config?: Config; audit?: AuditRepo; sandbox?: Sandbox } = {},
): ToolRegistry {
  return createToolRegistry({
    config: options.config ?? toolsConfig({ tools: { profile: "full" } }),
    tools,
    sandbox: options.sandbox ?? createSandbox({ timeoutMs: 30_000 }),
    audit: options.audit,
  });
}
