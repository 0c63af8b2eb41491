/**
 * Fake versions of the gateway methods the Control UI pages use whose real modules are built elsewhere:
 * chat.send/history/abort (publishing real-shaped `chat` and `agent` events on the bus), sessions.list,
 * runs.timeline, approvals.list/approval.resolve, channels.status, pairing.list/approve/deny,
 * usage.today, lanes.status. The test drives the streamed reply step by step.
 */
import { z } from "zod";
import type { EventBus } from "../../src/core/event_bus.ts";
import { MethodRegistry } from "../../src/gateway/methods/registry.ts";

export interface FakeRun {
  runId: string;
  sessionKey: string;
  text: string;
}

export interface WebFakes {
  /** Runs started by chat.send, in order. */
  runs: FakeRun[];
  /** Waits for the n-th (1-based) chat.send. */
  nextRun(n: number): Promise<FakeRun>;
  /** Publishes a `chat` delta with the text so far. */
  delta(run: FakeRun, textSoFar: string): void;
  /** Publishes a tool call (start and end) as `agent` events. */
  tool(run: FakeRun, name: string, args: Record<string, unknown>, result: string, ms: number): void;
  /** Final reply: stored in the history, then published. */
  final(run: FakeRun, text: string): void;
  /** Publishes only: simulates the part of a run a disconnected client misses. */
  finalStoredOnly(run: FakeRun, text: string): void;
  approvals: {
    id: string;
    tool: string;
    command: string;
    cwd: string;
    sessionKey: string;
    runId: string;
    requestedAt: number;
    decision?: string;
    resolvedAt?: number;
  }[];
  pairing: {
    channel: string;
    accountId: string;
    senderId: string;
    senderName: string;
    code: string;
    createdAt: number;
    expiresAt: number;
    approved?: boolean;
  }[];
  /** Milestones by run id (defaults to a full ingress → egress timeline). */
  timeline(runId: string): { ts: number; kind: string; data: Record<string, unknown> }[];
  aborted: string[];
}

export const MILESTONE_KINDS = [
  "ingress",
  "routed",
  "queued",
  "run.start",
  "model.attempt",
  "tool.call",
  "approval",
  "run.end",
  "egress",
] as const;

/**
 * Puts the fakes in front of a live gateway's registry: they answer first (also where the real module
 * is wired), so the test decides exactly what streams when. The live registry is patched per instance.
 */
export function registerWebFakes(live: MethodRegistry, bus: EventBus): WebFakes {
  const registry = new MethodRegistry();
  const get = live.get.bind(live);
  const names = live.names.bind(live);
  live.get = (name) => registry.get(name) ?? get(name);
  live.names = () => [...new Set([...names(), ...registry.names()])].sort();
  const history = new Map<
    string,
    { seq: number; kind: string; runId?: string; content: Record<string, unknown> }[]
  >();
  const seqs = new Map<string, { chat: number; agent: number }>();
  const waiters: { n: number; resolve(r: FakeRun): void }[] = [];
  const runs: FakeRun[] = [];
  const push = (key: string, kind: string, runId: string, content: Record<string, unknown>) => {
    const list = history.get(key) ?? [];
    list.push({ seq: list.length + 1, kind, runId, content });
    history.set(key, list);
  };
  const seq = (runId: string) => {
    let s = seqs.get(runId);
    if (!s) seqs.set(runId, s = { chat: 0, agent: 0 });
    return s;
  };
  const chat = (run: FakeRun, state: string, content: string) =>
    bus.publish({
      event: "chat",
      sessionKey: run.sessionKey,
      runId: run.runId,
      payload: {
        runId: run.runId,
        sessionKey: run.sessionKey,
        seq: ++seq(run.runId).chat,
        state,
        message: { role: "assistant", content },
      },
    });
  const agent = (run: FakeRun, stream: string, data: Record<string, unknown>) =>
    bus.publish({
      event: "agent",
      sessionKey: run.sessionKey,
      runId: run.runId,
      payload: { runId: run.runId, seq: ++seq(run.runId).agent, stream, ts: Date.now(), data },
    });

  const fakes: WebFakes = {
    runs,
    aborted: [],
    nextRun: (n) =>
      runs[n - 1] ? Promise.resolve(runs[n - 1]!) : new Promise((resolve) => waiters.push({ n, resolve })),
    delta: (run, text) => chat(run, "delta", text),
    tool(run, name, args, result, ms) {
      const id = `call_${name}_${seq(run.runId).agent}`;
      agent(run, "tool", { phase: "start", toolCallId: id, name, args });
      agent(run, "tool", { phase: "end", toolCallId: id, name, outcome: "ok", ms, isError: false, result });
    },
    final(run, text) {
      push(run.sessionKey, "assistant", run.runId, { text });
      chat(run, "final", text);
      agent(run, "lifecycle", { phase: "end", status: "ok" });
    },
    finalStoredOnly(run, text) {
      push(run.sessionKey, "assistant", run.runId, { text });
    },
    approvals: [],
    pairing: [],
    timeline(runId) {
      const t = 1_700_000_000_000;
      const data: Record<string, Record<string, unknown>> = {
        ingress: { channel: "webchat", sender: { id: "ui", name: "Control UI" }, text: "hello" },
        routed: { agentId: "main", sessionKey: "agent:main:main" },
        queued: { waitMs: 12, shard: 0 },
        "run.start": { agentId: "main", model: "fake/model-1" },
        "model.attempt": {
          provider: "fake",
          model: "model-1",
          ok: true,
          inputTokens: 120,
          outputTokens: 30,
          ms: 420,
        },
        "tool.call": { name: "exec", outcome: "ok", ms: 35, approval: "allow-once" },
        approval: { decision: "allow-once", tool: "exec", command: "ls -la" },
        "run.end": { status: "ok", steps: 2, attempts: 2, costUsd: 0.0012 },
        egress: { channel: "webchat", chunks: 1, state: "delivered" },
      };
      return MILESTONE_KINDS.map((kind, i) => ({ ts: t + i * 100, kind, data: { runId, ...data[kind] } }));
    },
  };

  registry.add({
    name: "chat.send",
    scope: "write",
    params: z.object({ sessionKey: z.string().optional(), agentId: z.string().optional(), text: z.string() })
      .passthrough(),
    handler: (p, ctx) => {
      const sessionKey = p.sessionKey ?? `agent:${p.agentId ?? "main"}:main`;
      const run = { runId: `run_${crypto.randomUUID().replaceAll("-", "")}`, sessionKey, text: p.text };
      ctx.subscribeSession(sessionKey);
      push(sessionKey, "user", run.runId, { text: p.text });
      runs.push(run);
      for (const w of waiters.filter((x) => x.n === runs.length)) w.resolve(run);
      return { runId: run.runId, status: "accepted" };
    },
  });
  registry.add({
    name: "chat.history",
    scope: "read",
    params: z.object({ sessionKey: z.string() }).passthrough(),
    handler: (p) => ({ entries: history.get(p.sessionKey) ?? [] }),
  });
  registry.add({
    name: "chat.abort",
    scope: "write",
    params: z.object({ sessionKey: z.string().optional(), runId: z.string().optional() }),
    handler: (p) => {
      const run = runs.find((r) => r.runId === p.runId);
      if (run) {
        fakes.aborted.push(run.runId);
        chat(run, "aborted", "");
      }
      return { aborted: !!run };
    },
  });
  registry.add({
    name: "sessions.list",
    scope: "read",
    params: z.object({}).passthrough(),
    handler: () => ({
      sessions: [...history.keys()].map((k) => ({
        sessionKey: k,
        agentId: "main",
        inputTokens: 120,
        outputTokens: 30,
        costUsd: 0.0012,
        lastChannel: { channel: "webchat" },
        updatedAt: Date.now(),
      })),
    }),
  });
  registry.add({
    name: "runs.timeline",
    scope: "read",
    params: z.object({ runId: z.string() }),
    handler: (p) => ({ runId: p.runId, milestones: fakes.timeline(p.runId) }),
  });
  registry.add({
    name: "approvals.list",
    scope: "read",
    params: z.object({}).passthrough(),
    handler: () => ({
      pending: fakes.approvals.filter((a) => !a.decision),
      history: fakes.approvals.filter((a) => a.decision),
    }),
  });
  registry.add({
    name: "approval.resolve",
    scope: "admin",
    params: z.object({ id: z.string(), decision: z.enum(["allow-once", "allow-always", "deny"]) }),
    handler: (p) => {
      const a = fakes.approvals.find((x) => x.id === p.id && !x.decision);
      if (!a) throw new Error(`no pending approval ${p.id}`);
      a.decision = p.decision;
      a.resolvedAt = Date.now();
      bus.publish({ event: "approval.resolved", payload: { id: a.id, decision: p.decision } });
      return { id: a.id, decision: p.decision };
    },
  });
  registry.add({
    name: "channels.status",
    scope: "read",
    params: z.object({}).passthrough(),
    handler: () => ({
      channels: [
        {
          channel: "telegram",
          accountId: "default",
          mode: "polling",
          running: true,
          connected: true,
          lastEventAt: Date.now(),
        },
        {
          channel: "discord",
          accountId: "bot",
          mode: "gateway",
          running: true,
          connected: false,
          lastError: "401 Unauthorized",
          lastErrorAt: Date.now(),
        },
      ],
    }),
  });
  registry.add({
    name: "pairing.list",
    scope: "read",
    params: z.object({}).passthrough(),
    handler: () => ({
      pending: fakes.pairing.filter((p) => !p.approved),
      approved: fakes.pairing.filter((p) => p.approved).map((p) => ({ ...p, approvedAt: Date.now() })),
    }),
  });
  for (const [name, approve] of [["pairing.approve", true], ["pairing.deny", false]] as const) {
    registry.add({
      name,
      scope: "admin",
      params: z.object({ channel: z.string(), code: z.string() }),
      handler: (p) => {
        const i = fakes.pairing.findIndex((x) => x.channel === p.channel && x.code === p.code && !x.approved);
        if (i < 0) throw new Error("no such request");
        if (approve) fakes.pairing[i]!.approved = true;
        else fakes.pairing.splice(i, 1);
        return { ok: true };
      },
    });
  }
  registry.add({
    name: "usage.today",
    scope: "read",
    params: z.object({}).passthrough(),
    handler: () => ({
      agents: [{
        agentId: "main",
        model: "fake/model-1",
        runs: 3,
        inputTokens: 1200,
        outputTokens: 300,
        costUsd: 0.42,
      }],
    }),
  });
  registry.add({
    name: "lanes.status",
    scope: "read",
    params: z.object({}).passthrough(),
    handler: () => ({
      shards: [{ shard: 0, alive: true, queueDepth: 2, active: 1, restarts: 0 }, {
        shard: 1,
        alive: true,
        queueDepth: 1,
        active: 0,
        restarts: 0,
      }],
      sessions: { active: 1, waiting: 3 },
    }),
  });
  return fakes;
}
