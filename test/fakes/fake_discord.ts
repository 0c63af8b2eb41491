/**
 * A fake Discord: REST (`/api/v10/...`) and a WebSocket gateway speaking the real protocol (HELLO op 10,
 * IDENTIFY op 2 → READY, heartbeats op 1/11, dispatches op 0, RESUME op 6 → replay + RESUMED) on 127.0.0.1,
 * for discord.js to talk to in tests.
 */

export interface DiscordSent {
  /** Names of attached files (multipart uploads). */
  files?: string[];
  channelId: string;
  content: string;
  replyTo?: string;
  id: string;
}

export interface FakeGuild {
  id: string;
  channels: Array<{ id: string; name: string; type?: number }>;
  threads?: Array<{ id: string; name: string; parent_id: string }>;
  roles?: string[];
}

export interface FakeDiscord {
  /** `http://127.0.0.1:PORT/api` — discord.js `rest.api`. */
  api: string;
  origin: string;
  token: string;
  botUser: { id: string; username: string };
  sent: DiscordSent[];
  typing: string[];
  identifies: number;
  resumes: Array<{ session_id: string; seq: number }>;
  heartbeats: number;
  sessionId: string;
  /** Dispatches an event to the connected client (or keeps it for replay on RESUME). */
  dispatch(t: string, d: unknown): void;
  /** Dispatches MESSAGE_CREATE. */
  message(m: FakeMessage): string;
  /** Closes the gateway socket with a resumable code, like a network drop. */
  dropConnection(): void;
  /** Registers bytes served at `<origin>/files/<name>`; returns the URL. */
  addFile(name: string, bytes: Uint8Array): string;
  waitFor(predicate: () => boolean, what: string, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export interface FakeMessage {
  channelId: string;
  guildId?: string;
  author: { id: string; username: string; bot?: boolean };
  content: string;
  mentions?: string[];
  roles?: string[];
  replyToBot?: boolean;
  attachments?: Array<{ id: string; filename: string; size: number; url: string; content_type?: string }>;
}

const GUILD_TEXT = 0;

/** Starts the fake. `guilds` are announced with GUILD_CREATE after READY. */
export function startFakeDiscord(options: { guilds?: FakeGuild[]; heartbeatMs?: number } = {}): FakeDiscord {
  const token = "fake-discord-token";
  const botUser = {
    id: "100000000000000001",
    username: "talon",
    discriminator: "0",
    avatar: null,
    bot: true,
    global_name: null,
  };
  let seq = 0;
  let nextId = 200000000000000000n;
  const snowflake = () => String(nextId++);
  const log: Array<{ s: number; t: string; d: unknown }> = [];
  let socket: WebSocket | undefined;
  const sockets = new Set<WebSocket>();
  const files = new Map<string, Uint8Array>();
  const guilds = options.guilds ?? [];
  const users = new Map<string, unknown>();

  const send = (ws: WebSocket, payload: unknown) => {
    if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(payload));
  };
  const emit = (t: string, d: unknown) => {
    const s = ++seq;
    log.push({ s, t, d });
    if (socket && ready) send(socket, { op: 0, s, t, d });
  };
  let ready = false;

  const guildPayload = (g: FakeGuild) => ({
    id: g.id,
    name: `guild-${g.id}`,
    icon: null,
    owner_id: "1",
    unavailable: false,
    member_count: 2,
    large: false,
    joined_at: new Date().toISOString(),
    features: [],
    emojis: [],
    stickers: [],
    members: [],
    presences: [],
    voice_states: [],
    stage_instances: [],
    guild_scheduled_events: [],
    roles: [
      {
        id: g.id,
        name: "@everyone",
        permissions: "1024",
        position: 0,
        color: 0,
        hoist: false,
        managed: false,
        mentionable: false,
        flags: 0,
      },
      ...(g.roles ?? []).map((id, i) => ({
        id,
        name: `role-${id}`,
        permissions: "0",
        position: i + 1,
        color: 0,
        hoist: false,
        managed: false,
        mentionable: true,
        flags: 0,
      })),
    ],
    channels: g.channels.map((c, i) => ({
      id: c.id,
      name: c.name,
      type: c.type ?? GUILD_TEXT,
      guild_id: g.id,
      position: i,
      permission_overwrites: [],
    })),
    threads: (g.threads ?? []).map((t) => ({
      id: t.id,
      name: t.name,
      type: 11,
      guild_id: g.id,
      parent_id: t.parent_id,
      thread_metadata: {
        archived: false,
        auto_archive_duration: 60,
        archive_timestamp: new Date().toISOString(),
        locked: false,
      },
    })),
  });

  const onGatewayMessage = (ws: WebSocket, raw: string) => {
    const msg = JSON.parse(raw) as { op: number; d: Record<string, unknown> };
    switch (msg.op) {
      case 1:
        fake.heartbeats++;
        send(ws, { op: 11 });
        break;
      case 2: {
        if (msg.d.token !== token && msg.d.token !== `Bot ${token}`) {
          ws.close(4004, "Authentication failed");
          return;
        }
        fake.identifies++;
        fake.sessionId = `session-${fake.identifies}`;
        socket = ws;
        ready = true;
        emit("READY", {
          v: 10,
          user: botUser,
          guilds: guilds.map((g) => ({ id: g.id, unavailable: true })),
          session_id: fake.sessionId,
          resume_gateway_url: `${wsOrigin()}/resume`,
          application: { id: botUser.id, flags: 0 },
        });
        for (const g of guilds) emit("GUILD_CREATE", guildPayload(g));
        break;
      }
      case 6: {
        const { session_id, seq: last } = msg.d as { session_id: string; seq: number };
        fake.resumes.push({ session_id, seq: last });
        if (session_id !== fake.sessionId) {
          send(ws, { op: 9, d: false });
          return;
        }
        socket = ws;
        ready = true;
        for (const e of log.filter((e) => e.s > last)) send(ws, { op: 0, s: e.s, t: e.t, d: e.d });
        emit("RESUMED", {});
        break;
      }
    }
  };

  const wsOrigin = () => fake.origin.replace(/^http/, "ws");
  const json = (body: unknown, status = 200) => Response.json(body, { status });

  const handle = async (req: Request): Promise<Response> => {
    const url = new URL(req.url);
    if (url.pathname === "/gateway" || url.pathname === "/resume") {
      const { socket: ws, response } = Deno.upgradeWebSocket(req);
      sockets.add(ws);
      ws.onopen = () => send(ws, { op: 10, d: { heartbeat_interval: options.heartbeatMs ?? 30_000 } });
      ws.onmessage = (e) => onGatewayMessage(ws, String(e.data));
      ws.onclose = () => {
        sockets.delete(ws);
        if (socket === ws) {
          socket = undefined;
          ready = false;
        }
      };
      return response;
    }
    if (url.pathname.startsWith("/files/")) {
      const bytes = files.get(url.pathname.slice(7));
      return bytes
        ? new Response(bytes as Uint8Array<ArrayBuffer>)
        : new Response("not found", { status: 404 });
    }
    const path = url.pathname.replace(/^\/api\/v\d+/, "");
    if (req.headers.get("authorization") !== `Bot ${token}`) {
      return json({ message: "401: Unauthorized", code: 0 }, 401);
    }
    const type = req.headers.get("content-type") ?? "";
    const uploaded: string[] = [];
    let body: Record<string, unknown> = {};
    if (req.method === "POST" && type.includes("json")) body = await req.json();
    else if (req.method === "POST" && type.includes("multipart/form-data")) {
      // discord.js sends attachments as multipart: payload_json plus files[n].
      const form = await req.formData();
      body = JSON.parse(String(form.get("payload_json") ?? "{}"));
      for (const [key, value] of form) {
        if (key.startsWith("files[") && value instanceof File) uploaded.push(value.name);
      }
    }
    let m: RegExpExecArray | null;
    if (req.method === "GET" && path === "/gateway/bot") {
      return json({
        url: `${wsOrigin()}/gateway`,
        shards: 1,
        session_start_limit: { total: 1000, remaining: 999, reset_after: 0, max_concurrency: 1 },
      });
    }
    if (req.method === "GET" && path === "/users/@me") return json(botUser);
    if (req.method === "POST" && path === "/users/@me/channels") {
      const recipient = String(body.recipient_id);
      return json({
        id: `9${recipient}`,
        type: 1,
        recipients: [
          users.get(recipient) ?? { id: recipient, username: "u", discriminator: "0", avatar: null },
        ],
      });
    }
    if (req.method === "POST" && (m = /^\/channels\/(\d+)\/messages$/.exec(path))) {
      const id = snowflake();
      const ref = body.message_reference as { message_id?: string } | undefined;
      fake.sent.push({
        channelId: m[1]!,
        content: String(body.content ?? ""),
        replyTo: ref?.message_id,
        id,
        ...(uploaded.length ? { files: uploaded } : {}),
      });
      return json({
        id,
        channel_id: m[1],
        author: botUser,
        content: body.content ?? "",
        timestamp: new Date().toISOString(),
        edited_timestamp: null,
        tts: false,
        mention_everyone: false,
        mentions: [],
        mention_roles: [],
        attachments: [],
        embeds: [],
        pinned: false,
        type: 0,
      });
    }
    if (req.method === "POST" && (m = /^\/channels\/(\d+)\/typing$/.exec(path))) {
      fake.typing.push(m[1]!);
      return new Response(null, { status: 204 });
    }
    return json({ message: `404: Not Found ${req.method} ${path}`, code: 0 }, 404);
  };

  const fake: FakeDiscord = {
    api: "",
    origin: "",
    token,
    botUser,
    sent: [],
    typing: [],
    identifies: 0,
    resumes: [],
    heartbeats: 0,
    sessionId: "",
    dispatch: emit,
    message(m) {
      const id = snowflake();
      const author = { discriminator: "0", avatar: null, global_name: null, ...m.author };
      users.set(m.author.id, author);
      const mentions = (m.mentions ?? []).map((uid) =>
        uid === botUser.id ? botUser : { id: uid, username: "x", discriminator: "0", avatar: null }
      );
      const isThread = guilds.some((g) => g.threads?.some((t) => t.id === m.channelId));
      emit("MESSAGE_CREATE", {
        id,
        channel_id: m.channelId,
        channel_type: m.guildId ? (isThread ? 11 : GUILD_TEXT) : 1,
        ...(m.guildId
          ? {
            guild_id: m.guildId,
            member: {
              roles: m.roles ?? [],
              joined_at: new Date().toISOString(),
              deaf: false,
              mute: false,
              flags: 0,
            },
          }
          : {}),
        author,
        content: m.content,
        timestamp: new Date().toISOString(),
        edited_timestamp: null,
        tts: false,
        mention_everyone: false,
        mentions,
        mention_roles: [],
        attachments: m.attachments ?? [],
        embeds: [],
        pinned: false,
        type: m.replyToBot ? 19 : 0,
        ...(m.replyToBot
          ? {
            message_reference: { message_id: "1", channel_id: m.channelId },
            referenced_message: {
              id: "1",
              channel_id: m.channelId,
              author: botUser,
              content: "earlier",
              timestamp: new Date().toISOString(),
              edited_timestamp: null,
              tts: false,
              mention_everyone: false,
              mentions: [],
              mention_roles: [],
              attachments: [],
              embeds: [],
              pinned: false,
              type: 0,
            },
          }
          : {}),
      });
      return id;
    },
    dropConnection() {
      const ws = socket;
      socket = undefined;
      ready = false;
      ws?.close(4000, "dropped by test");
    },
    addFile(name, bytes) {
      files.set(name, bytes);
      return `${fake.origin}/files/${name}`;
    },
    async waitFor(predicate, what, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    async close() {
      for (const ws of sockets) ws.close(1000);
      await server.shutdown();
    },
  };
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, handle);
  fake.origin = `http://127.0.0.1:${server.addr.port}`;
  fake.api = `${fake.origin}/api`;
  return fake;
}
