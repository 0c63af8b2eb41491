/**
 * Webhook ingress: `POST /hooks/agent` (run the agent on a message) and `POST /hooks/wake` (a wake-up
 * turn in session `hook:wake`), authenticated by the hooks token (`Authorization: Bearer` or
 * `x-talon-token`, never the query string). Answers 202 with the runId, or the result when `wait` is set.
 * Every hook run has principal `hook` (src/security/capabilities.ts) and runs in a `hook:<name>` session;
 * a `sessionKey` in the body may only name a session under `hooks.allowSessionPrefixes` (default none).
 */
import { Hono } from "hono";
import { z } from "zod";
import type { Config } from "../config/schema.ts";
import { TalonError } from "../core/errors.ts";
import type { AuditRepo } from "../store/audit.ts";
import { bearerToken, tokensEqual } from "./auth.ts";
import { type GatewayEnv, remoteAddr } from "./http_security.ts";
import { principalOfHook } from "../security/principal_of.ts";
import { agentResultPayload, type RunService } from "./methods/agent_methods.ts";
import type { FailureLimiter } from "./rate_limit.ts";

const agentBody = z.object({
  message: z.string().min(1).max(100_000),
  agentId: z.string().max(100).optional(),
  sessionKey: z.string().min(1).max(500).optional(),
  name: z.string().regex(/^[a-zA-Z0-9_.-]{1,64}$/).optional().describe("Hook name: session hook:<name>"),
  wait: z.boolean().optional(),
  timeoutSeconds: z.number().min(1).max(3600).optional(),
  deliver: z.object({
    channel: z.string().min(1).max(64),
    to: z.string().min(1).max(200),
    accountId: z.string().max(100).optional(),
  })
    .optional().describe("Also deliver the reply to this channel target"),
});

const wakeBody = z.object({
  text: z.string().min(1).max(10_000).optional(),
  agentId: z.string().max(100).optional(),
  wait: z.boolean().optional(),
});

function invalidBody(c: import("hono").Context<GatewayEnv>, error: z.ZodError) {
  const i = error.issues[0]!;
  return c.json({
    error: {
      code: "INVALID_REQUEST",
      message: `Invalid body: ${i.path.join(".") || "(body)"}: ${i.message}`,
    },
  }, 400);
}

export function createHooksApp(deps: {
  config: () => Readonly<Config>;
  runs: RunService;
  limiter: FailureLimiter;
  audit: AuditRepo;
}): Hono<GatewayEnv> {
  const app = new Hono<GatewayEnv>();

  app.use("*", async (c, next) => {
    const hooks = deps.config().hooks;
    if (!hooks.enabled || !hooks.token) {
      return c.json({
        error: { code: "NOT_FOUND", message: "Hooks are disabled (set hooks.enabled and hooks.token)" },
      }, 404);
    }
    const addr = remoteAddr(c);
    const limit = deps.limiter.check(addr);
    if (!limit.allowed) {
      c.header("Retry-After", String(Math.ceil(limit.retryAfterMs / 1000)));
      return c.json(
        { error: { code: "RATE_LIMITED", message: "Too many failed attempts", retryable: true } },
        429,
      );
    }
    const presented = bearerToken(c.req.header("authorization")) ?? c.req.header("x-talon-token");
    const ok = presented !== undefined && await tokensEqual(presented, hooks.token);
    if (!ok) {
      // Only a wrong token counts as a failed login; a request without one (any web page can send it) not.
      if (presented !== undefined) deps.limiter.fail(addr);
      await deps.audit.record({
        kind: "auth.failure",
        outcome: presented ? "mismatch" : "missing",
        actor: addr,
        detail: { via: "hooks" },
      }).catch(() => {});
      return c.json({
        error: {
          code: "UNAUTHORIZED",
          message: "Unauthorized: send the hooks token as Authorization: Bearer or x-talon-token",
        },
      }, 401);
    }
    deps.limiter.succeed(addr);
    await next();
  });

  const run = async (
    c: import("hono").Context<GatewayEnv>,
    input: {
      agentId: string;
      sessionKey: string;
      text: string;
      wait?: boolean;
      timeoutSeconds?: number;
      deliver?: { channel: string; to: string; accountId?: string };
    },
    hook: string,
  ) => {
    const config = deps.config();
    if (!config.agents.list.some((a) => a.id === input.agentId)) {
      return c.json({ error: { code: "NOT_FOUND", message: `Unknown agent "${input.agentId}"` } }, 404);
    }
    try {
      const handle = await deps.runs.start({
        agentId: input.agentId,
        sessionKey: input.sessionKey,
        text: input.text,
        source: { channel: "hook", hook, ...(input.deliver ? { deliver: input.deliver } : {}) },
        principal: principalOfHook(hook),
      });
      await deps.audit.record({
        kind: "hook.run",
        outcome: "accepted",
        runId: handle.runId,
        sessionKey: input.sessionKey,
        detail: { hook },
      });
      if (!input.wait) {
        return c.json({ runId: handle.runId, sessionKey: input.sessionKey, status: "accepted" }, 202);
      }
      const result = await deps.runs.wait(handle.runId, (input.timeoutSeconds ?? 120) * 1000);
      return c.json(agentResultPayload(result), result.status === "timeout" ? 202 : 200);
    } catch (err) {
      if (err instanceof TalonError) {
        const status = err.code === "BUDGET_EXCEEDED" ? 429 : err.code === "NOT_FOUND" ? 404 : 400;
        return c.json({ error: { code: err.code, message: err.message } }, status);
      }
      throw err;
    }
  };

  app.post("/agent", async (c) => {
    const body = agentBody.safeParse(await c.req.json().catch(() => undefined));
    if (!body.success) return invalidBody(c, body.error);
    const b = body.data;
    const agentId = b.agentId ?? deps.config().agents.defaultAgent;
    const prefixes = deps.config().hooks.allowSessionPrefixes;
    if (b.sessionKey !== undefined && !prefixes.some((p) => b.sessionKey!.startsWith(p))) {
      return c.json({
        error: {
          code: "FORBIDDEN",
          message: `Hooks may not choose session ${b.sessionKey}: hooks run in hook:<name> sessions; ` +
            "list allowed prefixes in hooks.allowSessionPrefixes",
        },
      }, 403);
    }
    const sessionKey = b.sessionKey ?? `hook:${b.name ?? "default"}`;
    return await run(
      c,
      {
        agentId,
        sessionKey,
        text: b.message,
        wait: b.wait,
        timeoutSeconds: b.timeoutSeconds,
        deliver: b.deliver,
      },
      b.name ?? "agent",
    );
  });

  app.post("/wake", async (c) => {
    const body = wakeBody.safeParse(await c.req.json().catch(() => ({})));
    if (!body.success) return invalidBody(c, body.error);
    const agentId = body.data.agentId ?? deps.config().agents.defaultAgent;
    const text = body.data.text ?? "Wake-up: check whether anything needs attention and report briefly.";
    return await run(c, { agentId, sessionKey: "hook:wake", text, wait: body.data.wait }, "wake");
  });

  return app;
}
