/**
 * The `echo` development provider: no key, no network, fully deterministic. It exists so the gateway
 * works end to end before any real model is configured, and for end-to-end tests.
 *
 * Behaviour (model name is ignored; use the ref `echo/echo`):
 * - It replies with the last user message, prefixed by {@link ECHO_NOTICE}, streamed in a few deltas.
 * - A user message that is exactly `/tool <name> <json>` makes it call tool `<name>` with the JSON
 *   object as arguments (when that tool is offered), so the tool loop can be exercised without a model.
 * - After a tool result it replies with `tool <name> returned: <content>`, which ends the loop.
 */
import type { ChatMessage, ModelRequest, Provider, StreamEvent } from "./types.ts";
import { ProviderError } from "./types.ts";

/** The label every echo reply starts with. */
export const ECHO_NOTICE = "[echo dev provider: repeating your message; set a real model to get answers]";

/** Rough deterministic token estimate (4 characters a token). */
function tokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** Splits text into at most `n` deltas at word boundaries (deterministic). */
export function splitDeltas(text: string, n = 4): string[] {
  const words = text.match(/\s*\S+\s*/g) ?? [text];
  const per = Math.max(1, Math.ceil(words.length / n));
  const out: string[] = [];
  for (let i = 0; i < words.length; i += per) out.push(words.slice(i, i + per).join(""));
  return out.filter((s) => s.length > 0);
}

const TOOL_COMMAND = /^\/tool\s+(\S+)\s+([\s\S]+)$/;

/** What the echo model answers to a conversation. */
function answer(
  request: ModelRequest,
): { text?: string; toolCall?: { name: string; args: Record<string, unknown> } } {
  const last: ChatMessage | undefined = request.messages[request.messages.length - 1];
  if (last?.role === "tool") {
    return { text: `${ECHO_NOTICE} tool ${last.name} returned: ${last.content}` };
  }
  const lastUser = [...request.messages].reverse().find((m) => m.role === "user");
  const text = lastUser?.content ?? "";
  const cmd = TOOL_COMMAND.exec(text.trim());
  if (cmd) {
    const [, name = "", json = ""] = cmd;
    let args: unknown;
    try {
      args = JSON.parse(json);
    } catch {
      return { text: `${ECHO_NOTICE} /tool needs JSON object arguments, e.g. /tool current_time {}` };
    }
    if (!args || typeof args !== "object" || Array.isArray(args)) {
      return { text: `${ECHO_NOTICE} /tool needs JSON object arguments, e.g. /tool current_time {}` };
    }
    if (!request.tools.some((t) => t.name === name)) {
      const offered = request.tools.map((t) => t.name).join(", ") || "none";
      return { text: `${ECHO_NOTICE} tool "${name}" is not available (offered: ${offered})` };
    }
    return { toolCall: { name, args: args as Record<string, unknown> } };
  }
  return { text: `${ECHO_NOTICE} ${text}` };
}

/** Creates the echo provider. `id` defaults to "echo". */
export function createEchoProvider(options: { id?: string } = {}): Provider {
  const id = options.id ?? "echo";
  return {
    id,
    async *stream(request: ModelRequest): AsyncGenerator<StreamEvent> {
      const check = () => {
        if (request.signal.aborted) {
          throw new ProviderError("aborted", `${id}: request aborted`, {
            provider: id,
            cause: request.signal.reason,
          });
        }
      };
      check();
      const input = tokens(request.system) + request.messages.reduce((n, m) => n + tokens(m.content), 0);
      const reply = answer(request);
      if (reply.toolCall) {
        const callId = `echo_call_${request.messages.length}`;
        yield {
          type: "tool_call",
          call: { id: callId, name: reply.toolCall.name, arguments: reply.toolCall.args },
        };
        yield {
          type: "usage",
          inputTokens: input,
          outputTokens: tokens(JSON.stringify(reply.toolCall.args)),
        };
        yield { type: "stop", reason: "tool_use" };
        return;
      }
      const text = reply.text ?? "";
      for (const delta of splitDeltas(text)) {
        await Promise.resolve();
        check();
        yield { type: "text", delta };
      }
      yield { type: "usage", inputTokens: input, outputTokens: tokens(text) };
      yield { type: "stop", reason: "end" };
    },
    listModels: () => Promise.resolve(["echo"]),
  };
}
