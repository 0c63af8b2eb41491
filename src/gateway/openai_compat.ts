/**
 * OpenAI-compatible HTTP surface: `POST /v1/chat/completions` (streaming SSE and not) and `GET /v1/models`,
 * so any OpenAI client can talk to a Talon agent with `model: "talon/<agentId>"`.
 * The session comes from the `x-talon-session-key` header or the `user` field; without either, each
 * request is its own session.
 */
import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import { z } from "zod";
import type { RunResult } from "../agent/mod.ts";
import type { Config } from "../config/schema.ts";
import { TalonError } from "../core/errors.ts";
import type { EventBus } from "../core/event_bus.ts";
import { principalOfCredential } from "../security/principal_of.ts";
import { approvalNotice, approvalOf } from "./approval_notice.ts";
import type { Authenticator } from "./auth.ts";
import { type GatewayEnv, requireAuth } from "./http_security.ts";
import type { RunService } from "./methods/agent_methods.ts";

const contentSchema = z.union([
  z.string(),
  z.array(z.object({ type: z.string(), text: z.string().optional() }).passthrough()),
  z.null(),
]);

const requestSchema = z.object({
  model: z.string().min(1).max(200),
  messages: z.array(z.object({ role: z.string(), content: contentSchema.optional() }).passthrough()).min(1)
    .max(10_000),
  stream: z.boolean().optional(),
  user: z.string().max(200).optional(),
}).passthrough();

function openAiError(status: number, message: string, type: string, code?: string) {
  return { status, body: { error: { message, type, code: code ?? null, param: null } } };
}

function textOf(content: z.infer<typeof contentSchema> | undefined): string {
  if (typeof content === "string") return content;
  if (!content) return "";
  return content.map((p) => p.text ?? "").join("");
}

/** The Hono sub-app for /v1. */
export function createOpenAiCompatApp(deps: {
  config: () => Readonly<Config>;
  auth: Authenticator;
  runs: RunService;
  bus: EventBus;
  now?: () => number;
}): Hono<GatewayEnv> {
  const now = deps.now ?? Date.now;
  const app = new Hono<GatewayEnv>();
  app.use("*", requireAuth(deps.auth, "write"));

  app.get("/models", (c) => {
    const created = Math.floor(now() / 1000);
    return c.json({
      object: "list",
      data: deps.config().agents.list.map((a) => ({
        id: `talon/${a.id}`,
        object: "model",
        created,
        owned_by: "talon",
      })),
    });
  });

  app.post("/chat/completions", async (c) => {
    let raw: unknown;
    try {
      raw = await c.req.json();
    } catch {
      const e = openAiError(400, "Request body is not valid JSON", "invalid_request_error");
      return c.json(e.body, 400);
    }
    const parsed = requestSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const e = openAiError(
        400,
        `Invalid request: ${issue.path.join(".")}: ${issue.message}`,
        "invalid_request_error",
      );
      return c.json(e.body, 400);
    }
    const req = parsed.data;
    const config = deps.config();
    const m = /^talon\/([a-z0-9][a-z0-9_-]*)$/.exec(req.model);
    const agentId = m?.[1];
    if (!agentId || !config.agents.list.some((a) => a.id === agentId)) {
      const e = openAiError(
        404,
        `Model "${req.model}" not found; use talon/<agentId> (${
          config.agents.list.map((a) => `talon/${a.id}`).join(", ")
        })`,
        "invalid_request_error",
        "model_not_found",
      );
      return c.json(e.body, 404);
    }
    const lastUser = [...req.messages].reverse().find((msg) => msg.role === "user");
    const text = textOf(lastUser?.content).trim();
    if (!text) {
      const e = openAiError(
        400,
        "Invalid request: messages must contain a user message with text",
        "invalid_request_error",
      );
      return c.json(e.body, 400);
    }
    const headerKey = c.req.header("x-talon-session-key");
    const sessionKey = headerKey ??
      (req.user
        ? `agent:${agentId}:openai:direct:${req.user}`
        : `agent:${agentId}:openai:request:${crypto.randomUUID()}`);
    if (headerKey && (headerKey.length > 500 || !headerKey.startsWith(`agent:${agentId}:`))) {
      const e = openAiError(
        400,
        `x-talon-session-key must start with agent:${agentId}:`,
        "invalid_request_error",
      );
      return c.json(e.body, 400);
    }
    const id = `chatcmpl-${crypto.randomUUID().replaceAll("-", "")}`;
    const created = Math.floor(now() / 1000);
    const abort = new AbortController();
    c.req.raw.signal.addEventListener("abort", () => abort.abort(), { once: true });

    if (!req.stream) {
      let result: RunResult;
      // Approvals the run waits for are named in the answer (the request ends when the run ends).
      const notices: string[] = [];
      const watch: { runId?: string } = {};
      const early: unknown[] = [];
      const onApproval = (payload: unknown) => {
        const a = watch.runId && approvalOf(payload, watch.runId);
        if (a) notices.push(approvalNotice(a, now()));
      };
      const unsubscribe = deps.bus.subscribe((e) => {
        if (e.event !== "approval.requested" || e.sessionKey !== sessionKey) return;
        if (watch.runId === undefined) early.push(e.payload);
        else onApproval(e.payload);
      }, { runStreams: false, sessionKey });
      try {
        const handle = await deps.runs.start({
          agentId,
          sessionKey,
          text,
          source: { channel: "http" },
          principal: principalOfCredential(c.get("credential")),
          signal: abort.signal,
        });
        watch.runId = handle.runId;
        early.splice(0).forEach(onApproval);
        result = await handle.done;
      } catch (err) {
        return errorResponse(c, err);
      } finally {
        unsubscribe();
      }
      if (result.status === "error" && result.steps === 0 && !result.command) {
        return c.json(
          openAiError(502, result.text || "The model provider failed", "api_error", result.error?.code).body,
          502,
        );
      }
      c.header("x-talon-run-id", result.runId);
      return c.json({
        id,
        object: "chat.completion",
        created,
        model: req.model,
        choices: [{
          index: 0,
          message: { role: "assistant", content: notices.join("") + result.text },
          finish_reason: result.status === "ok" ? "stop" : "stop",
        }],
        usage: {
          prompt_tokens: result.usage.inputTokens,
          completion_tokens: result.usage.outputTokens,
          total_tokens: result.usage.inputTokens + result.usage.outputTokens,
        },
      });
    }

    let handle;
    // Deltas published before the handle is known are buffered by run id.
    const early = new Map<string, string[]>();
    /** Notices are not the model's text: a run with only notices still sends its final text. */
    const notices = new Set<string>();
    const run: { id?: string } = {};
    const queue: string[] = [];
    let wake: (() => void) | undefined;
    const unsubscribe = deps.bus.subscribe((e) => {
      if (e.sessionKey !== sessionKey) return;
      let runId: string;
      let delta: string;
      if (e.event === "approval.requested") {
        // A pending approval is streamed as text: who must approve what, and how.
        runId = String((e.payload as { runId?: unknown }).runId);
        const a = approvalOf(e.payload, runId);
        if (!a) return;
        delta = approvalNotice(a, now());
        notices.add(delta);
      } else if (e.event === "agent") {
        const p = e.payload as { runId: string; stream: string; data: { delta?: string } };
        if (p.stream !== "assistant" || typeof p.data.delta !== "string") return;
        runId = p.runId;
        delta = p.data.delta;
      } else return;
      if (run.id === undefined) {
        const list = early.get(runId) ?? [];
        list.push(delta);
        early.set(runId, list);
      } else if (runId === run.id) {
        queue.push(delta);
        wake?.();
      }
    }, { sessionKey });
    try {
      handle = await deps.runs.start({
        agentId,
        sessionKey,
        text,
        source: { channel: "http" },
        principal: principalOfCredential(c.get("credential")),
        signal: abort.signal,
      });
    } catch (err) {
      unsubscribe();
      return errorResponse(c, err);
    }
    const runId = run.id = handle.runId;
    queue.push(...(early.get(runId) ?? []));
    early.clear();
    let finished = false;
    const done = handle.done.finally(() => {
      finished = true;
      wake?.();
    });
    c.header("x-talon-run-id", runId);
    return streamSSE(c, async (stream) => {
      stream.onAbort(() => abort.abort());
      const chunk = (delta: Record<string, unknown>, finish: string | null) =>
        stream.writeSSE({
          data: JSON.stringify({
            id,
            object: "chat.completion.chunk",
            created,
            model: req.model,
            choices: [{ index: 0, delta, finish_reason: finish }],
          }),
        });
      try {
        await chunk({ role: "assistant", content: "" }, null);
        let sent = "";
        while (true) {
          while (queue.length) {
            const delta = queue.shift()!;
            if (!notices.has(delta)) sent += delta;
            await chunk({ content: delta }, null);
          }
          if (finished) break;
          await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
        }
        const result = await done;
        // A command reply or an error explanation has no deltas: send the whole text once.
        if (!sent && result.text) await chunk({ content: result.text }, null);
        await chunk({}, "stop");
        await stream.writeSSE({ data: "[DONE]" });
      } finally {
        unsubscribe();
      }
    });
  });

  return app;
}

function errorResponse(c: import("hono").Context<GatewayEnv>, err: unknown) {
  if (err instanceof TalonError) {
    const status = err.code === "NOT_FOUND"
      ? 404
      : err.code === "BUDGET_EXCEEDED"
      ? 429
      : err.code === "INVALID_REQUEST"
      ? 400
      : 503;
    return c.json(
      openAiError(
        status,
        err.message,
        status === 429 ? "insufficient_quota" : "invalid_request_error",
        err.code,
      ).body,
      status,
    );
  }
  throw err;
}
