/**
 * A fake Telegram Bot API on 127.0.0.1 that speaks the real wire format (`/bot<token>/<method>`,
 * `/file/bot<token>/<path>`), for grammY to talk to in tests.
 */

export interface SentMessage {
  method: string;
  chat_id: string;
  text?: string;
  caption?: string;
  parse_mode?: string;
  message_thread_id?: number;
  reply_to?: number;
  message_id: number;
  fileName?: string;
}

export interface FakeTelegramOptions {
  token?: string;
  bot?: { id: number; username: string; first_name?: string };
  /** Longest a getUpdates long poll is held, in seconds (the real API holds it for `timeout`). Default 5. */
  maxPollSec?: number;
}

type Failure = { status: 429; retryAfter: number } | { status: 500 | 502 | 503 } | {
  status: 400;
  description: string;
};

export interface FakeTelegram {
  /** `http://127.0.0.1:PORT` — pass as grammY's apiRoot. */
  apiRoot: string;
  token: string;
  bot: { id: number; username: string; first_name: string };
  /** Every message the bot sent (sendMessage, sendPhoto, sendDocument). */
  sent: SentMessage[];
  /** Every chat action (`typing`) by chat id. */
  actions: Array<{ chat_id: string; action: string; message_thread_id?: number }>;
  /** Every API call in order, with its params. */
  calls: Array<{ method: string; params: Record<string, unknown> }>;
  webhook: { url?: string; secret_token?: string };
  /** When true, sendMessage with parse_mode HTML answers 400 can't parse entities. */
  rejectHtml: boolean;
  /** Queues an update; `update_id` is assigned. Returns it. */
  pushUpdate(update: Record<string, unknown>): number;
  /** Queues a message update from a user in a chat. */
  pushMessage(msg: PushMessage): number;
  /** The next call(s) of `method` fail as scripted, in order. */
  failNext(method: string, ...failures: Failure[]): void;
  /** Registers a downloadable file for getFile. */
  addFile(fileId: string, bytes: Uint8Array, filePath?: string): void;
  /** Resolves when `predicate` holds for `sent` (polls), rejects after `timeoutMs`. */
  waitForSent(predicate: (sent: SentMessage[]) => boolean, timeoutMs?: number): Promise<void>;
  /** Updates not yet confirmed by an offset. */
  pending(): number;
  close(): Promise<void>;
}

export interface PushMessage {
  chat: { id: number; type: "private" | "group" | "supergroup"; title?: string; is_forum?: boolean };
  from: { id: number; first_name?: string; username?: string; is_bot?: boolean };
  text?: string;
  caption?: string;
  entities?: Array<{ type: string; offset: number; length: number; user?: { id: number } }>;
  message_thread_id?: number;
  is_topic_message?: boolean;
  reply_to_message?: Record<string, unknown>;
  photo?: Array<
    { file_id: string; file_unique_id: string; width: number; height: number; file_size?: number }
  >;
  document?: {
    file_id: string;
    file_unique_id: string;
    file_name?: string;
    mime_type?: string;
    file_size?: number;
  };
  voice?: {
    file_id: string;
    file_unique_id: string;
    duration: number;
    mime_type?: string;
    file_size?: number;
  };
  message_id?: number;
}

/** Starts the fake Bot API. */
export function startFakeTelegram(options: FakeTelegramOptions = {}): FakeTelegram {
  const token = options.token ?? "123456:TEST-token";
  const bot = { first_name: "Talon", ...(options.bot ?? { id: 999, username: "talon_bot" }) };
  let nextUpdateId = 1000;
  let nextMessageId = 1;
  let updates: Array<Record<string, unknown> & { update_id: number }> = [];
  const waiters = new Set<() => void>();
  const failures = new Map<string, Failure[]>();
  const files = new Map<string, { bytes: Uint8Array; path: string }>();
  const wake = () => {
    for (const w of [...waiters]) w();
  };

  const fake: FakeTelegram = {
    apiRoot: "",
    token,
    bot,
    sent: [],
    actions: [],
    calls: [],
    webhook: {},
    rejectHtml: false,
    pushUpdate(update) {
      const update_id = nextUpdateId++;
      updates.push({ ...update, update_id });
      wake();
      return update_id;
    },
    pushMessage(msg) {
      const message = {
        message_id: msg.message_id ?? nextMessageId++,
        date: Math.floor(Date.now() / 1000),
        ...msg,
      };
      return fake.pushUpdate({ message });
    },
    failNext(method, ...list) {
      failures.set(method, [...(failures.get(method) ?? []), ...list]);
    },
    addFile(fileId, bytes, filePath = `files/${fileId}.bin`) {
      files.set(fileId, { bytes, path: filePath });
    },
    async waitForSent(predicate, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(fake.sent)) {
        if (Date.now() > deadline) throw new Error(`timed out waiting; sent: ${JSON.stringify(fake.sent)}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    pending: () => updates.length,
    async close() {
      closing = true;
      wake();
      await server.shutdown();
    },
  };
  let closing = false;

  const ok = (result: unknown) => Response.json({ ok: true, result });
  const fail = (code: number, description: string, parameters?: Record<string, unknown>) =>
    Response.json({ ok: false, error_code: code, description, ...(parameters ? { parameters } : {}) }, {
      status: code,
    });

  const getUpdates = async (p: Record<string, unknown>, signal: AbortSignal) => {
    const offset = Number(p.offset ?? 0);
    if (offset > 0) updates = updates.filter((u) => u.update_id >= offset);
    const limit = Number(p.limit ?? 100);
    const timeoutMs = Math.min(Number(p.timeout ?? 0), options.maxPollSec ?? 5) * 1000;
    const ready = () => updates.filter((u) => u.update_id >= offset).slice(0, limit);
    if (ready().length === 0 && timeoutMs > 0 && !closing) {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          waiters.delete(done);
          signal.removeEventListener("abort", done);
          resolve();
        };
        const timer = setTimeout(done, timeoutMs);
        waiters.add(done);
        signal.addEventListener("abort", done);
      });
    }
    return ok(ready());
  };

  const sendLike = (method: string, p: Record<string, unknown>, fileName?: string) => {
    if (method === "sendMessage" && fake.rejectHtml && p.parse_mode === "HTML") {
      return fail(
        400,
        "Bad Request: can't parse entities: Can't find end of the entity starting at byte offset 0",
      );
    }
    const reply = p.reply_parameters as { message_id?: number } | undefined;
    const message_id = nextMessageId++;
    const rec: SentMessage = {
      method,
      chat_id: String(p.chat_id),
      text: p.text as string | undefined,
      caption: p.caption as string | undefined,
      parse_mode: p.parse_mode as string | undefined,
      message_thread_id: p.message_thread_id === undefined ? undefined : Number(p.message_thread_id),
      reply_to: reply?.message_id === undefined ? undefined : Number(reply.message_id),
      message_id,
      fileName,
    };
    fake.sent.push(rec);
    return ok({
      message_id,
      date: Math.floor(Date.now() / 1000),
      chat: { id: Number(p.chat_id), type: "private" },
      from: { id: bot.id, is_bot: true, first_name: bot.first_name, username: bot.username },
      text: p.text,
    });
  };

  const handle = async (req: Request): Promise<Response> => {
    const url = new URL(req.url);
    const fileMatch = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
    if (fileMatch) {
      if (fileMatch[1] !== token) return new Response("Unauthorized", { status: 401 });
      const file = [...files.values()].find((f) => f.path === fileMatch[2]);
      return file
        ? new Response(file.bytes as Uint8Array<ArrayBuffer>)
        : new Response("Not Found", { status: 404 });
    }
    const m = /^\/bot([^/]+)\/(\w+)$/.exec(url.pathname);
    if (!m) return fail(404, "Not Found");
    if (m[1] !== token) return fail(401, "Unauthorized");
    const method = m[2]!;
    const { params, fileName } = await readParams(req, url);
    fake.calls.push({ method, params });
    const scripted = failures.get(method)?.shift();
    if (scripted) {
      if (scripted.status === 429) {
        return fail(429, `Too Many Requests: retry after ${scripted.retryAfter}`, {
          retry_after: scripted.retryAfter,
        });
      }
      if (scripted.status === 400) return fail(400, scripted.description);
      return fail(scripted.status, "Bad Gateway");
    }
    switch (method) {
      case "getMe":
        return ok({ ...bot, is_bot: true, can_join_groups: true, can_read_all_group_messages: false });
      case "getUpdates":
        return await getUpdates(params, req.signal);
      case "sendMessage":
      case "sendPhoto":
      case "sendDocument":
        return sendLike(method, params, fileName);
      case "sendChatAction":
        fake.actions.push({
          chat_id: String(params.chat_id),
          action: String(params.action),
          message_thread_id: params.message_thread_id === undefined
            ? undefined
            : Number(params.message_thread_id),
        });
        return ok(true);
      case "getFile": {
        const file = files.get(String(params.file_id));
        if (!file) return fail(400, "Bad Request: invalid file_id");
        return ok({
          file_id: params.file_id,
          file_unique_id: `u-${params.file_id}`,
          file_size: file.bytes.length,
          file_path: file.path,
        });
      }
      case "setWebhook":
        fake.webhook = { url: String(params.url), secret_token: params.secret_token as string | undefined };
        return ok(true);
      case "deleteWebhook":
        fake.webhook = {};
        return ok(true);
      default:
        return fail(404, `Not Found: method ${method} is not in the fake`);
    }
  };

  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, handle);
  fake.apiRoot = `http://127.0.0.1:${server.addr.port}`;
  return fake;
}

async function readParams(
  req: Request,
  url: URL,
): Promise<{ params: Record<string, unknown>; fileName?: string }> {
  const params: Record<string, unknown> = Object.fromEntries(url.searchParams);
  const type = req.headers.get("content-type") ?? "";
  if (type.includes("application/json")) return { params: { ...params, ...(await req.json()) } };
  if (type.includes("multipart/form-data")) {
    const form = await req.formData();
    let fileName: string | undefined;
    for (const [k, v] of form) {
      if (typeof v === "string") params[k] = tryJson(v);
      else fileName = v.name;
    }
    return { params, fileName };
  }
  const text = await req.text();
  return { params: text ? { ...params, ...JSON.parse(text) } : params };
}

function tryJson(v: string): unknown {
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}
