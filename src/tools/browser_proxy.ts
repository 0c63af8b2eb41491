/**
 * The managed Chromium's only way out: a loopback HTTP proxy (`--proxy-server`, loopback not bypassed)
 * that checks every connection with the SSRF guard before opening it, and connects to the address it
 * checked. Page request interception sees only a page's own requests; this also covers what it cannot:
 * service workers, dedicated and shared workers, WebSockets, and a DNS answer that changes between the
 * guard's lookup and Chromium's own (Chromium never resolves names when it uses a proxy).
 * - `CONNECT host:port` (https, wss, ws): checked, then a byte tunnel to the checked address.
 * - `GET http://host/path` (plain http): checked, forwarded with `Connection: close` to the checked address.
 * A refused connection gets `403` and is remembered in `blocked`.
 */

export interface EgressProxy {
  /** `http://127.0.0.1:<port>` for `--proxy-server`. */
  url: string;
  /** What was refused since the last `takeBlocked()`. */
  takeBlocked(): string[];
  close(): Promise<void>;
}

/** Checks a target and returns the address to connect to; throws (with a reason) to refuse. */
export type EgressCheck = (url: URL) => Promise<{ ip: string; port: number }>;

const MAX_HEAD = 64 * 1024;
const encoder = new TextEncoder();

/** Starts the proxy on 127.0.0.1 (a free port). */
export function startEgressProxy(check: EgressCheck): EgressProxy {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const blocked: string[] = [];
  const open = new Set<Deno.Conn>();
  const handling = new Set<Promise<void>>();
  const accepting = (async () => {
    for await (const conn of listener) {
      open.add(conn);
      const p = handle(conn, check, blocked).catch(() => {}).finally(() => {
        open.delete(conn);
        handling.delete(p);
        closeQuietly(conn);
      });
      handling.add(p);
    }
  })().catch(() => {});
  return {
    url: `http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}`,
    takeBlocked: () => blocked.splice(0),
    async close() {
      listener.close();
      for (const c of open) closeQuietly(c);
      await accepting;
      await Promise.all(handling);
    },
  };
}

async function handle(client: Deno.Conn, check: EgressCheck, blocked: string[]): Promise<void> {
  const { head, rest } = await readHead(client);
  const [requestLine, ...headers] = head.split("\r\n");
  const [method, target, version] = (requestLine ?? "").split(" ");
  if (!method || !target || !version) return;
  const connect = method.toUpperCase() === "CONNECT";
  let url: URL;
  try {
    url = new URL(connect ? `https://${target}` : target);
  } catch {
    return await refuse(client, blocked, target, "not a valid proxy target");
  }
  let to: { ip: string; port: number };
  try {
    to = await check(url);
  } catch (err) {
    return await refuse(client, blocked, connect ? target : url.href, (err as Error).message);
  }
  const upstream = await Deno.connect({ hostname: to.ip, port: to.port });
  try {
    if (connect) {
      await client.write(encoder.encode("HTTP/1.1 200 Connection Established\r\n\r\n"));
    } else {
      const kept = headers.filter((h) => h && !/^(proxy-connection|connection|keep-alive):/i.test(h));
      const line = `${method} ${url.pathname}${url.search} ${version}`;
      await writeAll(upstream, encoder.encode([line, ...kept, "Connection: close", "", ""].join("\r\n")));
    }
    if (rest.length) await writeAll(upstream, rest);
    await Promise.race([
      client.readable.pipeTo(upstream.writable, { preventClose: true }).catch(() => {}),
      upstream.readable.pipeTo(client.writable, { preventClose: true }).catch(() => {}),
    ]);
  } finally {
    closeQuietly(upstream);
  }
}

async function readHead(conn: Deno.Conn): Promise<{ head: string; rest: Uint8Array }> {
  let buf = new Uint8Array(0);
  const chunk = new Uint8Array(16 * 1024);
  while (buf.length < MAX_HEAD) {
    const n = await conn.read(chunk);
    if (n === null) break;
    const next = new Uint8Array(buf.length + n);
    next.set(buf);
    next.set(chunk.subarray(0, n), buf.length);
    buf = next;
    const end = indexOfHeadEnd(buf);
    if (end >= 0) {
      return { head: new TextDecoder().decode(buf.subarray(0, end)), rest: buf.subarray(end + 4) };
    }
  }
  return { head: "", rest: new Uint8Array(0) };
}

function indexOfHeadEnd(b: Uint8Array): number {
  for (let i = 0; i + 3 < b.length; i++) {
    if (b[i] === 13 && b[i + 1] === 10 && b[i + 2] === 13 && b[i + 3] === 10) return i;
  }
  return -1;
}

async function refuse(client: Deno.Conn, blocked: string[], target: string, why: string): Promise<void> {
  blocked.push(`${target}: ${why}`);
  const body = encoder.encode(`Refused by Talon's SSRF guard: ${why}\n`);
  const head = `HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\n` +
    "Connection: close\r\n\r\n";
  await writeAll(client, encoder.encode(head)).catch(() => {});
  await writeAll(client, body).catch(() => {});
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  for (let n = 0; n < bytes.length;) n += await conn.write(bytes.subarray(n));
}

function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch { /* already closed */ }
}
