/**
 * A WebSocket client written on raw TCP (node:net), for attacks a browser-grade client cannot make:
 * a chosen local address (127.0.1.N), frames of any size sent in pieces, an upgrade whose answer is
 * awaited separately. Frames are masked with a zero key (allowed by RFC 6455), so payload bytes go out as is.
 */
import net from "node:net";
import { Buffer } from "node:buffer";

export interface RawWs {
  /** Resolves with the HTTP status of the upgrade answer (101 when upgraded). */
  status: Promise<number>;
  /** Resolves with each complete text frame the server sends (only after a 101). */
  nextText(): Promise<string>;
  /** Sends one text frame; `payload` may be huge (it is written in chunks). */
  sendText(payload: string | Uint8Array): Promise<void>;
  /** Resolves when the TCP connection is closed. */
  closed: Promise<void>;
  /** The code of the server's close frame, once one arrived. */
  closeCode(): number | undefined;
  destroy(): void;
}

export function rawWs(opts: {
  port: number;
  path?: string;
  localAddress?: string;
  headers?: Record<string, string>;
}): RawWs {
  const sock = net.connect({
    host: "127.0.0.1",
    port: opts.port,
    ...(opts.localAddress ? { localAddress: opts.localAddress } : {}),
  });
  const status = Promise.withResolvers<number>();
  const closed = Promise.withResolvers<void>();
  const texts: string[] = [];
  const waiters: { resolve(s: string): void; reject(e: Error): void }[] = [];
  let buf = Buffer.alloc(0);
  let upgraded = false;
  let closeCode: number | undefined;
  sock.on("connect", () => {
    const head = [
      `GET ${opts.path ?? "/ws"} HTTP/1.1`,
      ...(Object.keys(opts.headers ?? {}).some((k) => k.toLowerCase() === "host")
        ? []
        : [`Host: 127.0.0.1:${opts.port}`]),
      "Upgrade: websocket",
      "Connection: Upgrade",
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
      "Sec-WebSocket-Version: 13",
      ...Object.entries(opts.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
      "",
      "",
    ].join("\r\n");
    sock.write(head);
  });
  sock.on("data", (chunk: Buffer) => {
    buf = Buffer.concat([buf, chunk]);
    if (!upgraded) {
      const end = buf.indexOf("\r\n\r\n");
      if (end < 0) return;
      const code = Number(/^HTTP\/1\.1 (\d{3})/.exec(buf.subarray(0, end).toString())?.[1] ?? 0);
      status.resolve(code);
      if (code !== 101) return;
      upgraded = true;
      buf = buf.subarray(end + 4);
    }
    for (;;) {
      if (buf.length < 2) return;
      let len = buf[1]! & 0x7f;
      let off = 2;
      if (len === 126) [len, off] = [buf.length >= 4 ? buf.readUInt16BE(2) : -1, 4];
      else if (len === 127) [len, off] = [buf.length >= 10 ? Number(buf.readBigUInt64BE(2)) : -1, 10];
      if (len < 0 || buf.length < off + len) return;
      const opcode = buf[0]! & 0x0f;
      const raw = buf.subarray(off, off + len);
      const payload = raw.toString();
      buf = buf.subarray(off + len);
      if (opcode === 8) {
        closeCode = raw.length >= 2 ? raw.readUInt16BE(0) : 1005;
        sock.end(Buffer.from([0x88, 0x82, 0, 0, 0, 0, ...raw.subarray(0, 2)]));
        continue;
      }
      if (opcode === 9) sock.write(Buffer.concat([Buffer.from([0x8a, 0x80 | raw.length, 0, 0, 0, 0]), raw]));
      if (opcode !== 1) continue;
      const w = waiters.shift();
      if (w) w.resolve(payload);
      else texts.push(payload);
    }
  });
  const gone = () => {
    status.resolve(0);
    closed.resolve();
    for (const w of waiters.splice(0)) w.reject(new Error("connection closed"));
  };
  sock.on("close", gone);
  sock.on("error", () => {});
  return {
    status: deadline(status.promise, "the upgrade answer"),
    closed: deadline(closed.promise, "the connection to close"),
    closeCode: () => closeCode,
    nextText: () => {
      const t = texts.shift();
      if (t !== undefined) return Promise.resolve(t);
      if (sock.destroyed) return Promise.reject(new Error("connection closed"));
      return deadline(new Promise((resolve, reject) => waiters.push({ resolve, reject })), "a text frame");
    },
    async sendText(payload) {
      const body = typeof payload === "string" ? Buffer.from(payload) : Buffer.from(payload);
      const n = body.length;
      const header = n < 126
        ? Buffer.from([0x81, 0x80 | n])
        : n < 65536
        ? Buffer.from([0x81, 0x80 | 126, n >> 8, n & 255])
        : (() => {
          const h = Buffer.alloc(10);
          h[0] = 0x81;
          h[1] = 0x80 | 127;
          h.writeBigUInt64BE(BigInt(n), 2);
          return h;
        })();
      await write(sock, Buffer.concat([header, Buffer.alloc(4)])); // zero mask key
      for (let i = 0; i < n; i += 1 << 20) await write(sock, body.subarray(i, i + (1 << 20)));
    },
    destroy: () => sock.destroy(),
  };
}

/** Every wait of this client fails after 20 s with a message saying what it waited for. */
function deadline<T>(p: Promise<T>, what: string, ms = 20_000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`raw WebSocket: no ${what} within ${ms} ms`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

function write(sock: net.Socket, data: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    if (sock.destroyed) return reject(new Error("connection closed"));
    sock.write(data, (err) => (err ? reject(err) : resolve()));
  });
}
