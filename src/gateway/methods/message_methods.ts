/**
 * `message.send` (write): an operator (or a script) sends a message as the bot to a chat on a channel.
 * It goes through the durable outbox like every agent reply: cut into the platform's chunks, each chunk
 * stored with its own idempotency key, then sent by the outbox dispatcher (retries, dead letters).
 */
import { z } from "zod";
import { chunkText } from "../../channels/chunk.ts";
import { type ChannelRegistry, parseTarget } from "../../channels/registry.ts";
import type { SendTarget } from "../../channels/types.ts";
import { TalonError } from "../../core/errors.ts";
import { newRunId } from "../../core/ids.ts";
import type { AuditRepo } from "../../store/audit.ts";
import type { OutboxRepo } from "../../store/outbox.ts";
import type { MethodRegistry } from "./registry.ts";

export interface MessageMethodDeps {
  outbox: Pick<OutboxRepo, "enqueue">;
  channels: Pick<ChannelRegistry, "get">;
  /** The outbox dispatcher's kick: send the new chunks now rather than at the next poll. */
  kick(): void;
  /** When given, every send is an audit row (`message.send`) with its runId. */
  audit?: Pick<AuditRepo, "record">;
}

/** Longest text one `message.send` accepts (before chunking). */
export const MESSAGE_MAX_CHARS = 100_000;

export const messageSendParams = z.strictObject({
  channel: z.string().min(1).max(64),
  accountId: z.string().min(1).max(128).optional(),
  to: z.string().min(1).max(512),
  text: z.string().max(MESSAGE_MAX_CHARS),
});

export type MessageSendParams = z.infer<typeof messageSendParams>;

export interface MessageSendResult {
  runId: string;
  channel: string;
  accountId: string;
  to: string;
  chunks: number;
  outboxIds: number[];
}

/** `direct:7`, `group:-100/42`: the outbox's string form of a send target (read back by parseTarget). */
export function outboxTargetString(target: SendTarget): string {
  return `${target.peer.kind}:${target.peer.id}${target.threadId ? `/${target.threadId}` : ""}`;
}

/** Validates, chunks and enqueues one message; returns its runId and outbox ids. */
export async function sendMessage(
  deps: MessageMethodDeps,
  p: MessageSendParams,
  actor?: string,
): Promise<MessageSendResult> {
  const adapter = deps.channels.get(p.channel, p.accountId);
  if (!adapter) {
    throw new TalonError(
      "NOT_FOUND",
      p.accountId
        ? `No ${p.channel} account "${p.accountId}" is configured`
        : `No ${p.channel} account is configured (or several are: pass accountId)`,
    );
  }
  let target: SendTarget;
  try {
    target = parseTarget(p.to);
  } catch (err) {
    throw new TalonError("INVALID_REQUEST", (err as Error).message);
  }
  if (!p.text.trim()) throw new TalonError("INVALID_REQUEST", "The message text is empty");
  const chunks = chunkText(p.text, adapter.capabilities.maxMessageLength);
  const runId = newRunId();
  const to = outboxTargetString(target);
  const outboxIds: number[] = [];
  for (const [chunkIndex, text] of chunks.entries()) {
    const r = await deps.outbox.enqueue({
      runId,
      chunkIndex,
      target: { channel: adapter.channel, accountId: adapter.accountId, to },
      payload: { text },
    });
    outboxIds.push(r.id);
  }
  deps.kick();
  await deps.audit?.record({
    kind: "message.send",
    outcome: "queued",
    actor,
    runId,
    detail: { channel: adapter.channel, accountId: adapter.accountId, to, chunks: chunks.length },
  });
  return {
    runId,
    channel: adapter.channel,
    accountId: adapter.accountId,
    to,
    chunks: chunks.length,
    outboxIds,
  };
}

/** Registers `message.send` (scope write). */
export function registerMessageMethods(registry: MethodRegistry, deps: MessageMethodDeps): void {
  registry.add({
    name: "message.send",
    scope: "write",
    params: messageSendParams,
    description:
      "Send a message as the bot to a chat: {channel, accountId?, to, text} → {runId, chunks, outboxIds}.",
    handler: (p, ctx) => sendMessage(deps, p, `gateway:${ctx.credentialId}`),
  });
}
