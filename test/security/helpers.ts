/**
 * Shared machinery of the attack tests: a real gateway with the echo provider (whose `/tool <name> <json>`
 * makes scripted tool calls), a write-scoped credential, a fake Telegram with an owner, a DM user and a
 * group, and bounded waits.
 */
// deno-lint-ignore-file no-explicit-any
import { randomToken } from "../../src/core/ids.ts";
import type { GatewayClient } from "../../src/gateway/client.ts";
import { startTestGateway, type TestGateway } from "../helpers/gateway.ts";
import { type FakeTelegram, startFakeTelegram } from "../fakes/fake_telegram.ts";

export const ECHO = { agents: { defaults: { model: { primary: "echo/echo" } } } };

/** Telegram ids of the cast. */
export const OWNER_ID = 1001;
export const USER_ID = 2002;
export const MEMBER_ID = 3003;
export const GROUP_CHAT = -100500;

/** Waits up to `timeoutMs` for `ready()`, else fails naming `what`. */
export async function until(ready: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await ready())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Stores a write-scoped (non-admin) gateway credential and returns its token. */
export async function writeToken(gw: TestGateway): Promise<string> {
  const token = randomToken();
  await gw.store.credentials.put({ name: "writer", kind: "operator", scopes: ["read", "write"], token });
  return token;
}

/** Sends a chat message over WS and waits for the run's reply text. */
export async function chat(client: GatewayClient, text: string, sessionKey?: string): Promise<string> {
  const { runId } = await client.request<any>("chat.send", { text, ...(sessionKey ? { sessionKey } : {}) });
  const r = await client.request<any>("agent.wait", { runId, timeoutMs: 20_000 });
  if (r.status === "timeout") throw new Error(`run ${runId} (${text}) did not end in 20 s`);
  return r.result?.payloads?.[0]?.text ?? "";
}

/** POSTs one user message to /v1/chat/completions and returns the reply text (or the error body). */
export async function v1(gw: TestGateway, token: string, text: string): Promise<string> {
  const res = await fetch(`${gw.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ model: "talon/main", messages: [{ role: "user", content: text }] }),
  });
  const body = await res.json();
  return body.choices?.[0]?.message?.content ?? JSON.stringify(body);
}

/** Every transcript text of a session, joined (read as the owner). */
export async function transcriptText(client: GatewayClient, sessionKey: string): Promise<string> {
  const { entries } = await client.request<any>("chat.history", { sessionKey, limit: 1000 });
  return JSON.stringify(entries);
}

export interface TelegramWorld {
  gw: TestGateway;
  telegram: FakeTelegram;
  /** An admin (owner) WebSocket client. */
  owner: GatewayClient;
  /** Sends `text` from `from` in `chat` and resolves with the bot's next reply text there. */
  say(from: number, chat: number, text: string): Promise<string>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * A gateway with one Telegram account: OWNER_ID is the owner, USER_ID is allow-listed for DMs, and
 * GROUP_CHAT is an allowed group without mention gating where MEMBER_ID may talk (and use commands).
 */
export async function telegramWorld(
  extra: Record<string, unknown> = {},
  account: Record<string, unknown> = {},
): Promise<TelegramWorld> {
  const telegram = startFakeTelegram();
  let gw: TestGateway | undefined;
  try {
    gw = await startTestGateway({
      ...ECHO,
      ...extra,
      channels: {
        telegram: {
          accounts: {
            default: {
              botToken: telegram.token,
              apiRoot: telegram.apiRoot,
              owners: [String(OWNER_ID)],
              allowFrom: [String(OWNER_ID), String(USER_ID)],
              dmPolicy: "allowlist",
              groupPolicy: "allowlist",
              // The member is listed so that the echo provider's `/tool …` (a chat command) gets through.
              groups: { [String(GROUP_CHAT)]: { requireMention: false, allowFrom: [String(MEMBER_ID)] } },
              ...account,
            },
          },
        },
      },
    });
    const owner = await gw.connect();
    const g = gw;
    let messageId = 1;
    return {
      gw: g,
      telegram,
      owner,
      async say(from, chat, text) {
        const before = telegram.sent.filter((m) => m.chat_id === String(chat)).length;
        telegram.pushMessage({
          chat: chat < 0 ? { id: chat, type: "group", title: "g" } : { id: chat, type: "private" },
          from: { id: from, first_name: `u${from}` },
          text,
          message_id: messageId++,
        });
        await telegram.waitForSent(
          (s) => s.filter((m) => m.chat_id === String(chat)).length > before,
          20_000,
        );
        return telegram.sent.filter((m) => m.chat_id === String(chat)).slice(before).map((m) => m.text)
          .join("\n");
      },
      async [Symbol.asyncDispose]() {
        await owner.close();
        await g[Symbol.asyncDispose]();
        await telegram.close();
      },
    };
  } catch (err) {
    await gw?.[Symbol.asyncDispose]();
    await telegram.close();
    throw err;
  }
}

/** The agent workspace's AGENTS.md (created on the first run). */
export function agentsMd(gw: TestGateway): Promise<string> {
  return Deno.readTextFile(`${gw.home}/workspace/main/AGENTS.md`);
}
