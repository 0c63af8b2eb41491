/**
 * Drives attacks through the real gateway: the echo provider's `/tool <name> <json>` makes the agent call
 * a tool in a shard worker, exactly as a model would; approvals are answered over the gateway like an
 * owner in the Control UI would.
 */
// deno-lint-ignore-file no-explicit-any
import { startTestGateway, type TestGateway } from "../helpers/gateway.ts";
import type { GatewayClient } from "../../src/gateway/client.ts";

/** Per-request deadline: generous, the suite runs on a loaded 2-core machine. */
const SLOW = { timeoutMs: 30_000 };

export interface ToolOutcome {
  /** The run's reply text (the tool result as the echo model reports it). */
  text: string;
  /** The approval request the call raised, if any. */
  request?: Record<string, any>;
  /** The error text when resolving the approval was refused. */
  resolveError?: string;
}

export interface AttackGateway {
  gw: TestGateway;
  client: GatewayClient;
  /** The main agent's workspace. */
  workspace: string;
  /**
   * Makes the agent call `tool` with `args`. When the call asks for approval, answers it with
   * `approve[0]` (then `approve[1]` if the first answer was refused, and so on).
   */
  call(tool: string, args: Record<string, unknown>, approve?: string[]): Promise<ToolOutcome>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Starts a gateway with the echo model and `config`, connected with the admin token. */
export async function attackGateway(config: Record<string, unknown> = {}): Promise<AttackGateway> {
  const gw = await startTestGateway({ agents: { defaults: { model: { primary: "echo/echo" } } }, ...config });
  const client = await gw.connect({ timeoutMs: 30_000 });
  const requests: Record<string, any>[] = [];
  client.onEvent((e, p) => e === "approval.requested" && requests.push(p as Record<string, any>));
  await client.request("events.subscribe", { events: ["approval.requested", "approval.resolved"] }, SLOW);
  const workspace = `${gw.home}/workspace/main`;
  await Deno.mkdir(workspace, { recursive: true });
  return {
    gw,
    client,
    workspace,
    async call(tool, args, approve = ["allow-once"]) {
      const { runId } = await client.request<any>("chat.send", {
        text: `/tool ${tool} ${JSON.stringify(args)}`,
      }, SLOW);
      const done = client.request<any>("agent.wait", { runId, timeoutMs: 60_000 }, { timeoutMs: 65_000 });
      let finished = false;
      done.then(() => finished = true, () => finished = true);
      const deadline = Date.now() + 60_000;
      let request: Record<string, any> | undefined;
      while (!finished && !request) {
        if (Date.now() > deadline) throw new Error(`no reply and no approval request for /tool ${tool}`);
        request = requests.find((r) => r.runId === runId);
        if (!request) await new Promise((r) => setTimeout(r, 20));
      }
      let resolveError: string | undefined;
      if (request) {
        for (const decision of approve) {
          try {
            await client.request("approval.resolve", { id: request.id, decision }, SLOW);
            break;
          } catch (err) {
            resolveError = (err as Error).message;
          }
        }
      }
      const result = await done;
      return { text: String(result.result?.payloads?.[0]?.text ?? ""), request, resolveError };
    },
    async [Symbol.asyncDispose]() {
      await client.close();
      await gw[Symbol.asyncDispose]();
    },
  };
}
