/**
 * Egress: a finished turn's reply is cut into the platform's chunks and written to the durable outbox
 * (one idempotency key per chunk) before anything is sent; the dispatcher then sends each chunk once.
 * Web chat, gateway and HTTP callers get their reply streamed, so only a milestone is written for them.
 */
import { chunkText } from "../channels/chunk.ts";
import { type ChannelRegistry, parseTarget } from "../channels/registry.ts";
import type { SendTarget } from "../channels/types.ts";
import type { MediaRef } from "../core/types.ts";
import type { RunResult } from "../agent/mod.ts";
import type { Turn } from "../lanes/mod.ts";
import type { Sender } from "../lanes/mod.ts";
import type { MilestoneRepo } from "../store/milestones.ts";
import type { OutboxItem, OutboxRepo } from "../store/outbox.ts";
import type { AgentJobPayload } from "./agent_job.ts";

/** `group:-100/7` — the outbox's string form of a send target (parsed back by parseTarget). */
export function encodeTarget(target: SendTarget): string {
  return `${target.peer.kind}:${target.peer.id}${target.threadId ? `/${target.threadId}` : ""}`;
}

interface ChunkPayload {
  text: string;
  replyTo?: string;
  /** Absolute paths of files to attach (from the message tool; already checked to be in the workspace). */
  media?: string[];
}

const IMAGE = /\.(png|jpe?g|gif|webp)$/i;

/** A file to attach, as channel adapters take it. */
export function mediaRef(path: string): MediaRef {
  return { kind: IMAGE.test(path) ? "image" : "document", path, name: path.split("/").at(-1) };
}

/** Where a reply goes: the run it answers and the source of the message (or its `deliver` target). */
export interface ReplyTo {
  runId: string;
  sessionKey: string;
  source: AgentJobPayload["source"];
}

/** The reply target of a finished turn: its first message's source. */
export function turnReplyTo(turn: Turn): ReplyTo {
  return {
    runId: turn.runId,
    sessionKey: turn.sessionKey,
    source: (turn.messages[0]!.payload as AgentJobPayload).source,
  };
}

/**
 * Writes a reply (a turn's answer, a command's reply, a drop notice) to the outbox; returns how many
 * chunks were queued. Every reply to a chat goes this way, so each is durable and sent once.
 */
export async function queueReply(
  deps: {
    channels: ChannelRegistry;
    outbox: OutboxRepo;
    milestones: MilestoneRepo;
  },
  to: ReplyTo,
  result: Pick<RunResult, "text">,
): Promise<number> {
  const { source } = to;
  const deliver = source.deliver;
  const adapter = deliver
    ? deps.channels.get(deliver.channel, deliver.accountId)
    : source.peer
    ? deps.channels.get(source.channel, source.accountId)
    : undefined;
  const target: SendTarget | undefined = deliver
    ? parseTarget(deliver.to)
    : source.peer && { peer: source.peer, threadId: source.threadId };
  if (!adapter || !target || (!deliver && source.channel === "webchat")) {
    await deps.milestones.add({
      runId: to.runId,
      sessionKey: to.sessionKey,
      kind: "egress",
      data: { channel: source.channel, chunks: 1, state: "streamed", chars: result.text.length },
    });
    return 0;
  }
  if (!result.text.trim()) return 0;
  const chunks = chunkText(result.text, adapter.capabilities.maxMessageLength);
  for (const [i, text] of chunks.entries()) {
    const replyTo = i === 0 && !deliver ? source.messageId : undefined;
    const payload: ChunkPayload = { text, ...(replyTo ? { replyTo } : {}) };
    await deps.outbox.enqueue({
      runId: to.runId,
      chunkIndex: i,
      sessionKey: to.sessionKey,
      target: { channel: adapter.channel, accountId: adapter.accountId, to: encodeTarget(target) },
      payload,
    });
  }
  return chunks.length;
}

/** The outbox sender of a channel: one chunk, one platform message. */
export function channelSender(channels: ChannelRegistry, channel: string): Sender | undefined {
  if (!channels.list().some((a) => a.channel === channel)) return undefined;
  return {
    send: (item: OutboxItem) => {
      const payload = item.payload as ChunkPayload;
      return channels.send(channel, item.target.accountId, parseTarget(item.target.to), {
        text: payload.text,
        ...(payload.replyTo ? { replyTo: payload.replyTo } : {}),
        ...(payload.media?.length ? { media: payload.media.map(mediaRef) } : {}),
      });
    },
  };
}
