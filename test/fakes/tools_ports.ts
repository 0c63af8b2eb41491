/** In-memory MessageSender and SessionsApi for tool tests. */
import type { MessageSender, SessionMessage, SessionsApi, SessionSummary } from "../../src/tools/ports.ts";

export function memorySender(): MessageSender & { sent: Parameters<MessageSender["send"]>[0][] } {
  const sent: Parameters<MessageSender["send"]>[0][] = [];
  return {
    sent,
    send(m) {
      sent.push(m);
      return Promise.resolve({ id: `out_${sent.length}` });
    },
  };
}

export function memorySessions(): SessionsApi & {
  sessions: SessionSummary[];
  transcripts: Map<string, SessionMessage[]>;
  spawned: string[];
} {
  const sessions: SessionSummary[] = [];
  const transcripts = new Map<string, SessionMessage[]>();
  const spawned: string[] = [];
  let runs = 0;
  const append = (key: string, m: SessionMessage) =>
    transcripts.set(key, [...(transcripts.get(key) ?? []), m]);
  return {
    sessions,
    transcripts,
    spawned,
    list: (f) =>
      Promise.resolve(sessions.filter((s) => !f.agentId || s.agentId === f.agentId).slice(0, f.limit)),
    spawnedBy: (key) => Promise.resolve(sessions.find((s) => s.sessionKey === key)?.spawnedBy),
    history: (key, limit) => Promise.resolve((transcripts.get(key) ?? []).slice(-limit)),
    send(key, text) {
      append(key, { role: "user", text, ts: 1 });
      return Promise.resolve({ runId: `run_${++runs}` });
    },
    spawn(o) {
      spawned.push(o.sessionKey);
      sessions.push({
        sessionKey: o.sessionKey,
        agentId: o.agentId,
        updatedAt: 1,
        spawnedBy: o.parentSessionKey,
      });
      if (o.task === "fail") return Promise.reject(new Error("model unavailable"));
      return Promise.resolve({ reply: `done: ${o.task}`, runId: `run_${++runs}` });
    },
  };
}
