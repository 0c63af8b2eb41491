/**
 * A lean `fetch` for model endpoints reached over plain HTTP (local model servers: Ollama, vLLM, LM Studio,
 * a box on the LAN), given to the provider SDKs in place of the global fetch. HTTPS endpoints keep the
 * global fetch, which speaks HTTP/2 there and multiplexes a gateway's requests over a few connections.
 *
 * Why: an agent run spends almost all its life waiting on the model, so what one request in flight costs is
 * what the gateway's memory grows by per run. Deno's fetch holds ~55 KiB of native memory per request in
 * flight over HTTP/1.1 (its client's connection and request state), a bare TCP connection ~16 KiB:
 * measured with 1,000 requests waiting on a slow loopback server, +58 MiB against +16 MiB.
 *
 * Connections: by default one request per connection, `Connection: close`. With `keepAlive` (what
 * providerFetch gives shard workers, where the runs are), a connection whose response was read to its end
 * (content-length or chunked framing, HTTP/1.1, no `Connection: close` from the server) is kept for the
 * next request to the same host and port: at most `maxIdle` per host, each reused only within `idleMs` of
 * its last response (below the 5 s idle timeout common servers use). A kept connection the server closed
 * meanwhile fails before any byte of the response arrives; such a request is sent once more on a new
 * connection, from the caller's body (the SDK keeps it), so the bytes are still not held while the model
 * thinks. Idle connections have no timer or pending read: a worker's go when it ends, and `closeIdle()`
 * closes them. Saves the connect and close of every model call (a fifth of a millisecond on loopback,
 * and ~5 % of a shard worker's samples at 200 parallel sessions).
 *
 * Handed to the fallback (the global fetch) instead: URLs that are not `http:` or carry credentials,
 * `Request` objects, bodies other than a string or bytes (form uploads, streams), proxies set in the
 * environment, redirects, which fetch follows by the spec's rules (the body is a string or bytes, so it
 * can be sent again), and a host name whose connection failed (fetch tries every address it resolves to).
 */
import { bodyReader, parseHead, type ResponseHead, TOKEN, Wire } from "./http1_wire.ts";

/** Statuses whose response has no body, whatever its headers say. */
const NULL_BODY = new Set([204, 205, 304]);
const REDIRECT = new Set([301, 302, 303, 307, 308]);
/** Headers this transport sets itself (framing and connection management). */
const OWN_HEADERS = new Set([
  "host",
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "content-length",
  "te",
  "trailer",
  "upgrade",
  "accept-encoding",
]);
const PROXY_VARS = ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"];

export interface Http1FetchOptions {
  /** Where requests this transport does not take go (default: the global fetch). */
  fallback?: typeof fetch;
  /** Keep connections for later requests (see the module comment); off by default. */
  keepAlive?: boolean;
  /** Idle connections kept per host and port (default 32). */
  maxIdle?: number;
  /** An idle connection older than this is closed instead of reused (default 4,000 ms). */
  idleMs?: number;
  /** The time, for idle ages (default performance.now). */
  now?: () => number;
  /** Opens the TCP connection (default: Deno.connect). */
  connect?: (hostname: string, port: number) => Promise<Deno.Conn>;
  /** Reads an environment variable, for the proxy settings (default: Deno.env, unset when not allowed). */
  env?: (name: string) => string | undefined;
}

/** The lean fetch, and what it holds between requests. */
export type Http1Fetch = typeof fetch & {
  /** Closes the idle connections (a request in flight keeps its own). */
  closeIdle(): void;
  /** Idle connections held. */
  readonly idle: number;
};

/**
 * The fetch a provider SDK should use for `baseUrl`: the lean one for `http:`, else undefined (its own).
 * It keeps connections alive in a shard worker (a Deno worker), where the runs are and whose sockets go
 * with it; elsewhere (the main thread's occasional calls, tests) one connection per request.
 */
export function providerFetch(baseUrl: string | undefined): typeof fetch | undefined {
  if (!baseUrl?.startsWith("http:")) return undefined;
  return createHttp1Fetch({ keepAlive: "WorkerGlobalScope" in globalThis });
}

/** Creates the lean HTTP/1.1 fetch (see the module comment for what it takes and what it hands on). */
export function createHttp1Fetch(options: Http1FetchOptions = {}): Http1Fetch {
  const fallback = options.fallback ?? globalThis.fetch;
  const connect = options.connect ??
    ((hostname: string, port: number) => Deno.connect({ hostname, port, transport: "tcp" }));
  const env = options.env ?? readEnv;
  // Deno's fetch reads the proxy variables once, when its client is made; so does this.
  const proxied = PROXY_VARS.some((name) => env(name));

  const pool = options.keepAlive
    ? new ConnPool(options.maxIdle ?? 32, options.idleMs ?? 4000, options.now ?? (() => performance.now()))
    : undefined;

  const leanFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const plan = proxied || input instanceof Request ? undefined : planRequest(input, init, !!pool);
    if (!plan) return fallback(input, init);
    const signal = init?.signal ?? undefined;
    let response: Response | undefined;
    try {
      response = await exchange(plan, connect, signal, pool, true);
    } catch (err) {
      if (!(err instanceof StaleConnection)) throw err;
      // The kept connection had been closed by the server: nothing of a response came, so the request
      // goes again on a new connection.
      response = await exchange(
        planRequest(input as string | URL, init, true)!,
        connect,
        signal,
        pool,
        false,
      );
    }
    if (response) return response;
    // A redirect (fetch follows it, by the spec's rules for methods, bodies and credentials), or a name
    // whose first address refused.
    return fallback(input, init);
  };
  // defineProperties, not assign: `idle` stays a getter.
  return Object.defineProperties(leanFetch, {
    closeIdle: { value: () => pool?.closeAll() },
    idle: { get: () => pool?.size ?? 0 },
  }) as Http1Fetch;
}

/** Thrown for a kept connection that failed before any byte of the response: the caller sends again. */
class StaleConnection extends Error {}

function closeQuietly(conn: Deno.Conn) {
  try {
    conn.close();
  } catch { /* closed */ }
}

/** Idle connections by host and port, most recently used last. */
class ConnPool {
  #idle = new Map<string, { conn: Deno.Conn; at: number }[]>();
  #size = 0;

  constructor(readonly maxIdle: number, readonly idleMs: number, readonly now: () => number) {}

  get size(): number {
    return this.#size;
  }

  /** A connection to reuse for `key`, or undefined; those idle too long are closed on the way. */
  take(key: string): Deno.Conn | undefined {
    const list = this.#idle.get(key);
    while (list?.length) {
      const { conn, at } = list.pop()!;
      this.#size--;
      if (this.now() - at <= this.idleMs) {
        if (!list.length) this.#idle.delete(key);
        return conn;
      }
      closeQuietly(conn);
    }
    this.#idle.delete(key);
    return undefined;
  }

  put(key: string, conn: Deno.Conn): void {
    let list = this.#idle.get(key);
    if (!list) this.#idle.set(key, list = []);
    if (list.length >= this.maxIdle) {
      closeQuietly(list.shift()!.conn);
      this.#size--;
    }
    list.push({ conn, at: this.now() });
    this.#size++;
  }

  closeAll(): void {
    for (const list of this.#idle.values()) for (const { conn } of list) closeQuietly(conn);
    this.#idle.clear();
    this.#size = 0;
  }
}

function readEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
}

interface Plan {
  url: URL;
  method: string;
  /** The request head and body, ready to write; dropped once written. */
  bytes?: Uint8Array;
}

/** What to send, or undefined when this transport does not take the request. */
function planRequest(
  input: string | URL,
  init: RequestInit | undefined,
  keepAlive: boolean,
): Plan | undefined {
  const url = new URL(input);
  if (url.protocol !== "http:" || url.username || url.password) return undefined;
  const body = bodyBytes(init?.body);
  if (body === false) return undefined;
  const method = normaliseMethod(init?.method ?? "GET");
  if ((method === "GET" || method === "HEAD") && body) {
    throw new TypeError(`Request with ${method} method cannot have a body.`);
  }
  const headers = new Headers(init?.headers);
  if (typeof init?.body === "string" && !headers.has("content-type")) {
    headers.set("content-type", "text/plain;charset=UTF-8");
  }
  let head = `${method} ${url.pathname}${url.search} HTTP/1.1\r\nhost: ${url.host}\r\n`;
  for (const [name, value] of headers) {
    if (!OWN_HEADERS.has(name)) head += `${name}: ${value}\r\n`;
  }
  if (!headers.has("accept")) head += "accept: */*\r\n";
  head += keepAlive
    ? "accept-encoding: gzip, deflate\r\n"
    : "accept-encoding: gzip, deflate\r\nconnection: close\r\n";
  if (body) head += `content-length: ${body.byteLength}\r\n`;
  else if (method === "POST" || method === "PUT" || method === "PATCH") head += "content-length: 0\r\n";
  head += "\r\n";
  const headBytes = new TextEncoder().encode(head);
  if (!body) return { url, method, bytes: headBytes };
  const bytes = new Uint8Array(headBytes.byteLength + body.byteLength);
  bytes.set(headBytes);
  bytes.set(body, headBytes.byteLength);
  return { url, method, bytes };
}

/** The body as bytes; undefined for none; false for a kind this transport hands to the fallback. */
function bodyBytes(body: RequestInit["body"] | undefined): Uint8Array | undefined | false {
  if (body === undefined || body === null) return undefined;
  if (typeof body === "string") return new TextEncoder().encode(body);
  if (body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  return false;
}

function normaliseMethod(method: string): string {
  if (!TOKEN.test(method)) throw new TypeError(`Invalid HTTP method: ${JSON.stringify(method)}`);
  const upper = method.toUpperCase();
  if (upper === "CONNECT" || upper === "TRACE" || upper === "TRACK") {
    throw new TypeError(`HTTP method ${upper} is not allowed`);
  }
  return ["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH"].includes(upper) ? upper : method;
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException("The signal has been aborted", "AbortError");
}

/**
 * Sends the request and reads the response head. Returns the response (its body streams from the
 * connection), or undefined for the fallback to take over: a redirect (its connection is closed), or a
 * named host that could not be connected to.
 */
async function exchange(
  plan: Plan,
  connect: (hostname: string, port: number) => Promise<Deno.Conn>,
  signal: AbortSignal | undefined,
  pool: ConnPool | undefined,
  mayReuse: boolean,
): Promise<Response | undefined> {
  if (signal?.aborted) throw abortReason(signal);
  const where = `${plan.url.origin}${plan.url.pathname}`;
  const failure = (err: unknown) => {
    if (signal?.aborted) return abortReason(signal);
    if (err instanceof TypeError && err.message.startsWith("error sending request")) return err;
    return new TypeError(`error sending request for url (${where}): ${(err as Error).message ?? err}`, {
      cause: err,
    });
  };
  let conn: Deno.Conn | undefined;
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    signal?.removeEventListener("abort", close);
    try {
      conn?.close();
    } catch { /* already closed */ }
  };
  const host = plan.url.hostname.replace(/^\[(.*)\]$/, "$1");
  const port = Number(plan.url.port || 80);
  const key = `${host}:${port}`;
  /** Hands the connection back to the pool: this exchange is over with it. */
  const release = () => {
    if (closed) return;
    closed = true;
    signal?.removeEventListener("abort", close);
    pool!.put(key, conn!);
  };
  signal?.addEventListener("abort", close, { once: true });
  try {
    const kept = mayReuse ? pool?.take(key) : undefined;
    if (kept) conn = kept;
    else {
      try {
        conn = await untilAborted(connect(host, port), signal);
      } catch (err) {
        // Deno.connect tries only the first address a name resolves to (`localhost` may give ::1 to a server
        // on 127.0.0.1); nothing was sent, so fetch, which tries them all, takes the request over.
        if (signal?.aborted || isIpLiteral(host)) throw err;
        close();
        return undefined;
      }
    }
    if (closed) throw abortReason(signal!);
    const wire = new Wire(conn);
    let head: ResponseHead;
    try {
      // The bytes are handed over, not kept in this frame while the model thinks.
      await writeAll(conn, takeBytes(plan));
      head = parseHead(await wire.head());
    } catch (err) {
      // A kept connection the server had closed: nothing of a response came, so nothing was answered.
      if (kept && !wire.received && !signal?.aborted) {
        close();
        throw new StaleConnection();
      }
      throw err;
    }
    while (head.status < 200 && head.status !== 101) head = parseHead(await wire.head());
    if (head.status === 101) throw new Error("the server switched protocols, which was not asked for");
    if (REDIRECT.has(head.status)) {
      close();
      return undefined;
    }
    // Kept for the next request when the response ends where its framing says and the server keeps it.
    const keep = pool !== undefined && head.minor === 1 &&
      !(head.headers.get("connection") ?? "").toLowerCase().split(",").some((t) => t.trim() === "close");
    const finish = (framed: boolean) => keep && framed && wire.buffered === 0 ? release() : close();
    if (plan.method === "HEAD" || NULL_BODY.has(head.status)) {
      finish(true);
      return respond(null, head, plan.url);
    }
    const { next, framed } = bodyReader(wire, head.headers);
    let body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        try {
          const chunk = await next();
          if (chunk) controller.enqueue(chunk);
          else {
            finish(framed);
            controller.close();
          }
        } catch (err) {
          close();
          controller.error(failure(err));
        }
      },
      cancel: close,
    });
    const coding = head.headers.get("content-encoding")?.trim().toLowerCase();
    const inflate = (format: CompressionFormat) =>
      body.pipeThrough(new DecompressionStream(format) as TransformStream<Uint8Array, Uint8Array>);
    if (coding === "gzip" || coding === "x-gzip") body = inflate("gzip");
    else if (coding === "deflate") body = inflate("deflate");
    else if (coding && coding !== "identity") throw new Error(`unsupported content encoding "${coding}"`);
    return respond(body, head, plan.url);
  } catch (err) {
    close();
    if (err instanceof StaleConnection) throw err;
    throw failure(err);
  }
}

/**
 * The connection, or the abort reason as soon as `signal` aborts (a connect to an unreachable host waits
 * for the OS's own timeout, minutes); a connection that arrives after that is closed.
 */
function untilAborted(connecting: Promise<Deno.Conn>, signal: AbortSignal | undefined): Promise<Deno.Conn> {
  if (!signal) return connecting;
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(abortReason(signal));
    signal.addEventListener("abort", onAbort, { once: true });
    // The one place a late connection is closed: a close that threw here would be an unhandled rejection.
    connecting.then(
      (c) => {
        signal.removeEventListener("abort", onAbort);
        if (!signal.aborted) return resolve(c);
        try {
          c.close();
        } catch { /* closed */ }
      },
      (err) => {
        signal.removeEventListener("abort", onAbort);
        reject(err);
      },
    );
  });
}

function isIpLiteral(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(":");
}

function respond(body: ReadableStream<Uint8Array> | null, head: ResponseHead, url: URL): Response {
  const response = new Response(body, {
    status: head.status,
    statusText: head.reason,
    headers: head.headers,
  });
  Object.defineProperty(response, "url", { value: url.href });
  return response;
}

function takeBytes(plan: Plan): Uint8Array {
  const bytes = plan.bytes!;
  plan.bytes = undefined;
  return bytes;
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let at = 0;
  while (at < bytes.byteLength) at += await conn.write(bytes.subarray(at));
}
