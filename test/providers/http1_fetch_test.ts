import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import { createHttp1Fetch, providerFetch } from "../../src/providers/http1_fetch.ts";
import { MAX_HEAD_BYTES } from "../../src/providers/http1_wire.ts";
import { classifyError } from "../../src/providers/classify.ts";
import { createOpenAIChatProvider } from "../../src/providers/openai_chat.ts";
import { createAnthropicProvider } from "../../src/providers/anthropic.ts";
import { createFakeOpenAI } from "../fakes/fake_openai.ts";
import { createFakeAnthropic } from "../fakes/fake_anthropic.ts";
import OpenAI from "openai";
import { collect, request } from "./helpers.ts";
import { bounded } from "../helpers/wait.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** A raw TCP server on 127.0.0.1 running `handle` for each connection, which it closes afterwards. */
function tcpServer(handle: (conn: Deno.Conn) => Promise<void>) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns: Deno.Conn[] = [];
  const done: Promise<void>[] = [];
  const serve = (async () => {
    for await (const conn of listener) {
      conns.push(conn);
      done.push(
        handle(conn).catch(() => {}).finally(() => {
          try {
            conn.close();
          } catch { /* closed */ }
        }),
      );
    }
  })();
  const { port } = listener.addr as Deno.NetAddr;
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => conns.length,
    async close() {
      listener.close();
      for (const c of conns) {
        try {
          c.close();
        } catch { /* closed */ }
      }
      await serve.catch(() => {});
      await Promise.all(done);
    },
  };
}

/**
 * A raw TCP server that reads one request head (and its content-length body) and answers with the given
 * pieces, written one by one; resolves `requests` with what it read. `hold` keeps the connection open after
 * the pieces (for abort tests); otherwise the server closes it.
 */
function rawServer(answer: (req: string) => (string | Uint8Array)[], opts: { hold?: boolean } = {}) {
  const requests: string[] = [];
  const server = tcpServer(async (conn) => {
    let data = new Uint8Array(0);
    const buf = new Uint8Array(4096);
    const full = () => {
      const text = dec.decode(data);
      const end = text.indexOf("\r\n\r\n");
      if (end < 0) return false;
      const length = Number(/content-length: (\d+)/i.exec(text.slice(0, end))?.[1] ?? 0);
      return data.byteLength >= end + 4 + length;
    };
    while (!full()) {
      const n = await conn.read(buf).catch(() => null);
      if (n === null) return;
      const joined = new Uint8Array(data.byteLength + n);
      joined.set(data);
      joined.set(buf.subarray(0, n), data.byteLength);
      data = joined;
    }
    const req = dec.decode(data);
    requests.push(req);
    try {
      for (const piece of answer(req)) {
        await conn.write(typeof piece === "string" ? enc.encode(piece) : piece);
      }
    } catch { /* the client went away */ }
    if (opts.hold) {
      // Wait for the client to close its side.
      while ((await conn.read(buf).catch(() => null)) !== null) { /* drain */ }
    }
  });
  return { ...server, requests };
}

const ok = (body: string, extra = "") =>
  `HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: ${
    enc.encode(body).byteLength
  }\r\n${extra}\r\n${body}`;

Deno.test(
  "http1 fetch: sends one request per connection and reads a content-length body",
  bounded(async () => {
    const server = rawServer(() => [ok("héllo", "x-reply: 1\r\n")]);
    try {
      const f = createHttp1Fetch({ env: () => undefined });
      const res = await f(`${server.url}/v1/chat?x=1`, {
        method: "post",
        headers: { "content-type": "application/json", connection: "keep-alive", authorization: "Bearer k" },
        body: JSON.stringify({ a: "é" }),
      });
      assert.equal(res.status, 200);
      assert.equal(res.statusText, "OK");
      assert.equal(res.headers.get("x-reply"), "1");
      assert.equal(res.url, `${server.url}/v1/chat?x=1`);
      assert.equal(await res.text(), "héllo");
      const [req] = server.requests;
      const [head, body] = req!.split("\r\n\r\n");
      const lines = head!.split("\r\n");
      assert.equal(lines[0], "POST /v1/chat?x=1 HTTP/1.1");
      assert.ok(lines.includes(`host: ${new URL(server.url).host}`));
      assert.ok(lines.includes("connection: close"), "asks the server to close");
      assert.ok(!lines.includes("connection: keep-alive"), "the caller's connection header is not sent");
      assert.ok(lines.includes("authorization: Bearer k"));
      assert.ok(lines.includes("content-type: application/json"));
      assert.ok(lines.includes(`content-length: ${enc.encode('{"a":"é"}').byteLength}`));
      assert.equal(body, '{"a":"é"}');
    } finally {
      await server.close();
    }
  }),
);

Deno.test(
  "http1 fetch: a chunked body cut at every byte, with extensions and trailers",
  bounded(async () => {
    const wire = "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n" +
      "5;name=x\r\nhello\r\n1\r\n \r\nA\r\nworld, abc\r\n0\r\nx-trailer: y\r\n\r\n";
    const server = rawServer(() => [...enc.encode(wire)].map((b) => new Uint8Array([b])));
    try {
      const res = await createHttp1Fetch({ env: () => undefined })(`${server.url}/`);
      assert.equal(await res.text(), "hello world, abc");
    } finally {
      await server.close();
    }
  }),
);

Deno.test(
  "http1 fetch: a body without length runs to the close; gzip is inflated; 1xx is skipped",
  bounded(async () => {
    const gz = gzipSync(enc.encode("packed text"));
    const server = rawServer((req) =>
      req.startsWith("GET /open") ? ["HTTP/1.1 200 OK\r\n\r\n", "part one, ", "part two"] : [
        "HTTP/1.1 100 Continue\r\n\r\n",
        `HTTP/1.1 200 OK\r\ncontent-encoding: gzip\r\ncontent-length: ${gz.byteLength}\r\n\r\n`,
        gz,
      ]
    );
    try {
      const f = createHttp1Fetch({ env: () => undefined });
      assert.equal(await (await f(`${server.url}/open`)).text(), "part one, part two");
      assert.equal(await (await f(`${server.url}/gz`)).text(), "packed text");
      assert.match(server.requests[1]!, /accept-encoding: gzip, deflate\r\n/);
    } finally {
      await server.close();
    }
  }),
);

Deno.test(
  "http1 fetch: 204 and HEAD have no body",
  bounded(async () => {
    const server = rawServer((req) =>
      req.startsWith("HEAD")
        ? ["HTTP/1.1 200 OK\r\ncontent-length: 50\r\n\r\n"]
        : ["HTTP/1.1 204 No Content\r\n\r\n"]
    );
    try {
      const f = createHttp1Fetch({ env: () => undefined });
      const head = await f(`${server.url}/`, { method: "HEAD" });
      assert.equal(head.status, 200);
      assert.equal(head.body, null);
      const none = await f(`${server.url}/`, { method: "DELETE" });
      assert.equal(none.status, 204);
      assert.equal(none.body, null);
    } finally {
      await server.close();
    }
  }),
);

Deno.test(
  "http1 fetch: what it does not take goes to the fallback, untouched",
  bounded(async () => {
    const calls: unknown[][] = [];
    const fallback = ((input: unknown, init: unknown) => {
      calls.push([input, init]);
      return Promise.resolve(new Response("from fallback"));
    }) as typeof fetch;
    const server = rawServer(
      () => ["HTTP/1.1 302 Found\r\nlocation: /elsewhere\r\ncontent-length: 0\r\n\r\n"],
    );
    try {
      const f = createHttp1Fetch({ fallback, env: () => undefined });
      const form = new FormData();
      form.set("file", new Blob(["x"]), "a.txt");
      const cases: [string | Request, RequestInit | undefined][] = [
        ["https://example.invalid/v1", undefined],
        [`http://user:pw@127.0.0.1:1/`, undefined],
        [`${server.url}/upload`, { method: "POST", body: form }],
        [new Request(`${server.url}/req`), undefined],
      ];
      for (const [input, init] of cases) {
        assert.equal(await (await f(input, init)).text(), "from fallback");
      }
      // A redirect is answered by the fallback, which follows it: the same input and init go there.
      const init = { method: "POST", body: "{}" };
      assert.equal(await (await f(`${server.url}/moved`, init)).text(), "from fallback");
      assert.equal(calls.length, 5);
      assert.deepEqual(calls[4], [`${server.url}/moved`, init]);
      assert.equal(server.requests.length, 1, "only the redirected request reached the server here");
      // With a proxy in the environment everything goes through the fallback (fetch honours the proxy).
      const proxied = createHttp1Fetch({
        fallback,
        env: (n) => (n === "HTTP_PROXY" ? "http://proxy:3128" : undefined),
      });
      await proxied(`${server.url}/x`);
      assert.equal(calls.length, 6);
      assert.equal(server.requests.length, 1);
    } finally {
      await server.close();
    }
  }),
);

Deno.test(
  "http1 fetch: an abort while waiting for the head closes the connection and rejects",
  bounded(async () => {
    const server = rawServer(() => [], { hold: true });
    try {
      const f = createHttp1Fetch({ env: () => undefined });
      const ac = new AbortController();
      const pending = f(`${server.url}/slow`, { signal: ac.signal });
      const deadline = Date.now() + 10_000;
      while (server.requests.length === 0) {
        if (Date.now() > deadline) throw new Error("the request never reached the server");
        await new Promise((r) => setTimeout(r, 5));
      }
      ac.abort();
      await assert.rejects(pending, (err: Error) => err.name === "AbortError");
      const reason = new Error("mine");
      await assert.rejects(f(`${server.url}/x`, { signal: AbortSignal.abort(reason) }), (e) => e === reason);
    } finally {
      await server.close(); // returns only once the server saw the client close
    }
  }),
);

Deno.test(
  "http1 fetch: an abort during the body errors the stream",
  bounded(async () => {
    const server = rawServer(() => ["HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n", "first"], {
      hold: true,
    });
    try {
      const ac = new AbortController();
      const res = await createHttp1Fetch({ env: () => undefined })(`${server.url}/`, { signal: ac.signal });
      const reader = res.body!.getReader();
      assert.equal(dec.decode((await reader.read()).value), "first");
      const next = reader.read();
      ac.abort();
      await assert.rejects(next, (err: Error) => err.name === "AbortError");
    } finally {
      await server.close();
    }
  }),
);

Deno.test(
  "http1 fetch: malformed and cut responses are clear errors",
  bounded(async () => {
    const answers: Record<string, (string | Uint8Array)[]> = {
      "/status": ["HTTP/2 200 OK\r\n\r\n"],
      "/header": ["HTTP/1.1 200 OK\r\nno colon here\r\n\r\n"],
      "/huge": ["HTTP/1.1 200 OK\r\n", `x-big: ${"a".repeat(MAX_HEAD_BYTES)}\r\n`, "\r\n"],
      "/length": ["HTTP/1.1 200 OK\r\ncontent-length: 5, 6\r\n\r\nhello"],
      "/short": ["HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nhalf"],
      "/chunk": ["HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n"],
      "/cutchunk": ["HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n10\r\nabc"],
      "/empty": [],
      "/brotli": ["HTTP/1.1 200 OK\r\ncontent-encoding: br\r\ncontent-length: 1\r\n\r\nx"],
    };
    const server = rawServer((req) => answers[req.split(" ")[1]!]!);
    try {
      const f = createHttp1Fetch({ env: () => undefined });
      const headErrors: [string, RegExp][] = [
        ["/status", /malformed status line/],
        ["/header", /malformed header line/],
        ["/huge", /response head larger than/],
        ["/length", /malformed content-length/],
        ["/empty", /connection closed before a response/],
        ["/brotli", /unsupported content encoding "br"/],
      ];
      for (const [path, message] of headErrors) {
        await assert.rejects(f(`${server.url}${path}`), (err: Error) => {
          assert.ok(err instanceof TypeError, `${path}: ${err}`);
          assert.match(err.message, /^error sending request for url \(http:\/\/127\.0\.0\.1:\d+\//);
          assert.match(err.message, message);
          return true;
        });
      }
      const bodyErrors: [string, RegExp][] = [
        ["/short", /connection closed 4 bytes into a 10-byte body/],
        ["/chunk", /malformed chunk size/],
        ["/cutchunk", /connection closed inside a chunked body/],
      ];
      for (const [path, message] of bodyErrors) {
        const res = await f(`${server.url}${path}`);
        await assert.rejects(res.text(), (err: Error) => {
          assert.match(err.message, message, path);
          return true;
        });
      }
    } finally {
      await server.close();
    }
  }),
);

Deno.test(
  "http1 fetch: a refused connection is a network error for the router",
  bounded(async () => {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const { port } = listener.addr as Deno.NetAddr;
    listener.close();
    const err = await createHttp1Fetch({ env: () => undefined })(`http://127.0.0.1:${port}/v1`).then(
      () => assert.fail("expected a refusal"),
      (e) => e,
    );
    assert.ok(err instanceof TypeError);
    assert.ok(err.cause instanceof Deno.errors.ConnectionRefused);
    assert.equal(classifyError(err, { provider: "local" }).kind, "network");
  }),
);

Deno.test(
  "http1 fetch: a named host that refuses goes to the fallback; nothing was sent",
  bounded(async () => {
    const tried: string[] = [];
    const calls: unknown[] = [];
    const f = createHttp1Fetch({
      env: () => undefined,
      connect: (hostname) => {
        tried.push(hostname);
        return Promise.reject(new Deno.errors.ConnectionRefused("Connection refused (os error 111)"));
      },
      fallback: ((input: unknown) => {
        calls.push(input);
        return Promise.resolve(new Response("via fetch"));
      }) as typeof fetch,
    });
    // `localhost` may resolve to ::1 first while the server listens on 127.0.0.1: fetch tries every address.
    assert.equal(await (await f("http://localhost:11434/v1/models")).text(), "via fetch");
    assert.deepEqual(calls, ["http://localhost:11434/v1/models"]);
    // An IP literal has one address: its refusal is the answer.
    await assert.rejects(
      f("http://[::1]:11434/v1/models"),
      (e: Error) => e.cause instanceof Deno.errors.ConnectionRefused,
    );
    assert.deepEqual(tried, ["localhost", "::1"]);
    assert.equal(calls.length, 1);
  }),
);

Deno.test(
  "http1 fetch: an abort while connecting rejects at once and closes the late connection",
  bounded(async () => {
    let arrive!: (c: Deno.Conn) => void;
    let closed = 0;
    // Closing twice throws, as a real Deno.Conn does: it must be closed exactly once.
    const late = {
      close: () => {
        if (closed++) throw new Deno.errors.BadResource("Bad resource ID");
      },
    } as unknown as Deno.Conn;
    const f = createHttp1Fetch({
      env: () => undefined,
      connect: () => new Promise<Deno.Conn>((resolve) => arrive = resolve),
    });
    const ac = new AbortController();
    const pending = f("http://10.255.255.1/v1/chat/completions", {
      method: "POST",
      body: "{}",
      signal: ac.signal,
    });
    ac.abort();
    await assert.rejects(pending, (err: Error) => err.name === "AbortError");
    arrive(late);
    await Promise.resolve();
    assert.equal(closed, 1, "the connection that came too late is closed, once");
  }),
);

Deno.test(
  "http1 fetch: bad methods and GET bodies are refused before connecting",
  bounded(async () => {
    let connects = 0;
    const f = createHttp1Fetch({
      env: () => undefined,
      connect: () => {
        connects++;
        return Promise.reject(new Error("should not connect"));
      },
    });
    await assert.rejects(f("http://127.0.0.1:9/", { method: "GET\r\nx: y" }), /Invalid HTTP method/);
    await assert.rejects(f("http://127.0.0.1:9/", { method: "CONNECT" }), /not allowed/);
    await assert.rejects(f("http://127.0.0.1:9/", { method: "GET", body: "x" }), /cannot have a body/);
    assert.equal(connects, 0);
  }),
);

Deno.test("providerFetch: the lean transport for http base URLs only", () => {
  assert.equal(typeof providerFetch("http://127.0.0.1:11434/v1"), "function");
  assert.equal(providerFetch("https://api.openai.com/v1"), undefined);
  assert.equal(providerFetch(undefined), undefined);
});

Deno.test(
  "http1 fetch: the OpenAI chat provider and the Anthropic SDK stream through it from an http base URL",
  bounded(async () => {
    const openai = createFakeOpenAI();
    const anthropic = createFakeAnthropic();
    try {
      openai.enqueue({ text: ["Hel", "lo"], usage: { input: 3, output: 2 } });
      const chat = createOpenAIChatProvider({ id: "local", baseUrl: openai.url, apiKey: "k" });
      const a = await collect(chat.stream(request()));
      assert.equal(a.error, undefined);
      assert.deepEqual(a.events.filter((e) => e.type === "text").map((e) => e.delta), ["Hel", "lo"]);
      assert.equal(openai.requests[0]!.headers["connection"], "close", "sent by the lean transport");

      anthropic.enqueue({ text: ["Hi"], usage: { input: 1, output: 1 } });
      const claude = createAnthropicProvider({ id: "a", baseUrl: anthropic.origin, apiKey: "k" });
      const b = await collect(claude.stream(request()));
      assert.equal(b.error, undefined);
      assert.deepEqual(b.events.filter((e) => e.type === "text").map((e) => e.delta), ["Hi"]);
      assert.equal(anthropic.requests[0]!.headers["connection"], "close");
    } finally {
      await openai.close();
      await anthropic.close();
    }
  }),
);

/**
 * A raw TCP server that keeps connections open: on each it reads requests one after another and answers
 * each with `answer(req, i)` (i counts requests over all connections); `after` says what to do once the
 * answer is written: keep the connection, or close it.
 */
function keptServer(
  answer: (req: string, i: number) => string,
  after: (i: number) => "keep" | "close" = () => "keep",
) {
  const requests: string[] = [];
  const server = tcpServer(async (conn) => {
    let data = "";
    const buf = new Uint8Array(4096);
    const text = new TextDecoder();
    for (;;) {
      const end = data.indexOf("\r\n\r\n");
      const length = end < 0 ? 0 : Number(/content-length: (\d+)/i.exec(data.slice(0, end))?.[1] ?? 0);
      const rest = end < 0 ? new Uint8Array(0) : enc.encode(data.slice(end + 4));
      if (end >= 0 && rest.byteLength >= length) {
        const req = data.slice(0, end + 4) + dec.decode(rest.subarray(0, length));
        data = dec.decode(rest.subarray(length));
        const i = requests.push(req) - 1;
        try {
          await conn.write(enc.encode(answer(req, i)));
        } catch { /* gone */ }
        if (after(i) === "close") return;
        continue;
      }
      const n = await conn.read(buf).catch(() => null);
      if (n === null) return;
      data += text.decode(buf.subarray(0, n), { stream: true });
    }
  });
  return { ...server, requests };
}

Deno.test(
  "http1 fetch keep-alive: a response read to its end leaves its connection for the next request",
  bounded(async () => {
    const server = keptServer((_req, i) =>
      i === 1
        ? `HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n`
        : i === 2
        ? `HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\n` // HEAD: the length of a body not sent
        : ok(`r${i}`)
    );
    const f = createHttp1Fetch({ env: () => undefined, keepAlive: true });
    try {
      assert.equal(await (await f(`${server.url}/a`)).text(), "r0");
      assert.equal(f.idle, 1);
      assert.equal(await (await f(`${server.url}/b`, { method: "POST", body: "x" })).text(), "abc");
      assert.equal(await (await f(`${server.url}/c`, { method: "HEAD" })).text(), "");
      assert.equal(await (await f(`${server.url}/d`)).text(), "r3");
      assert.equal(server.connections(), 1, "four requests, one connection");
      assert.ok(!server.requests[0]!.includes("connection: close"), "does not ask the server to close");
      // A body not read to its end: the connection is closed, not kept.
      const unread = await f(`${server.url}/e`);
      await unread.body!.cancel();
      assert.equal(f.idle, 0);
      assert.equal(await (await f(`${server.url}/f`)).text(), "r5");
      assert.equal(server.connections(), 2);
    } finally {
      f.closeIdle();
      assert.equal(f.idle, 0);
      await server.close();
    }
  }),
);

Deno.test(
  "http1 fetch keep-alive: Connection: close, HTTP/1.0 and bodies that run to the close are not kept",
  bounded(async () => {
    const answers = [
      ok("a", "connection: close\r\n"),
      `HTTP/1.0 200 OK\r\ncontent-length: 1\r\n\r\nb`,
      `HTTP/1.1 200 OK\r\n\r\nc`,
    ];
    const server = keptServer((_req, i) => answers[i]!, (i) => (i === 0 ? "keep" : "close"));
    const f = createHttp1Fetch({ env: () => undefined, keepAlive: true });
    try {
      assert.equal(await (await f(`${server.url}/`)).text(), "a");
      assert.equal(f.idle, 0, "the server said close");
      assert.equal(await (await f(`${server.url}/`)).text(), "b");
      assert.equal(f.idle, 0, "HTTP/1.0");
      assert.equal(await (await f(`${server.url}/`)).text(), "c");
      assert.equal(f.idle, 0, "read to the close");
      assert.equal(server.connections(), 3);
    } finally {
      f.closeIdle();
      await server.close();
    }
  }),
);

Deno.test(
  "http1 fetch keep-alive: a kept connection the server closed is sent again once, on a new connection",
  bounded(async () => {
    // The server answers each connection's first request and then closes it, without saying so.
    const server = keptServer((req) => ok(/^POST/.test(req) ? "posted" : "got"), () => "close");
    const f = createHttp1Fetch({ env: () => undefined, keepAlive: true });
    try {
      assert.equal(await (await f(`${server.url}/`)).text(), "got");
      assert.equal(f.idle, 1);
      const body = JSON.stringify({ big: "é".repeat(1000) });
      const res = await f(`${server.url}/v1`, { method: "POST", body });
      assert.equal(await res.text(), "posted");
      assert.equal(server.requests.length, 2, "the request reached the server once");
      assert.ok(server.requests[1]!.endsWith(body), "with its whole body");
      assert.equal(server.connections(), 2);
    } finally {
      f.closeIdle();
      await server.close();
    }
  }),
);

Deno.test(
  "http1 fetch keep-alive: an idle connection older than idleMs is closed, not reused",
  bounded(async () => {
    let t = 0;
    const server = keptServer((_req, i) => ok(`r${i}`));
    const f = createHttp1Fetch({ env: () => undefined, keepAlive: true, idleMs: 1000, now: () => t });
    try {
      await (await f(`${server.url}/`)).text();
      t = 1000;
      await (await f(`${server.url}/`)).text();
      assert.equal(server.connections(), 1, "reused within idleMs");
      t = 2001;
      await (await f(`${server.url}/`)).text();
      assert.equal(server.connections(), 2, "too old: a new connection");
      assert.equal(f.idle, 1);
    } finally {
      f.closeIdle();
      await server.close();
    }
  }),
);

Deno.test(
  "http1 fetch keep-alive: at most maxIdle connections per host are kept",
  bounded(async () => {
    const server = keptServer((_req, i) => ok(`r${i}`));
    const f = createHttp1Fetch({ env: () => undefined, keepAlive: true, maxIdle: 2 });
    try {
      const responses = await Promise.all([1, 2, 3].map(() => f(`${server.url}/`)));
      await Promise.all(responses.map((r) => r.text()));
      assert.equal(server.connections(), 3);
      assert.equal(f.idle, 2);
    } finally {
      f.closeIdle();
      await server.close();
    }
  }),
);

Deno.test(
  "http1 fetch keep-alive: the OpenAI SDK's stream leaves its connection kept; the main thread's providerFetch keeps none",
  bounded(async () => {
    const openai = createFakeOpenAI();
    const f = createHttp1Fetch({ env: () => undefined, keepAlive: true });
    try {
      const client = new OpenAI({ baseURL: openai.url, apiKey: "k", fetch: f, maxRetries: 0 });
      for (const text of ["one", "two"]) {
        openai.enqueue({ text: [text] });
        const stream = await client.chat.completions.create({ model: "m", messages: [], stream: true });
        let got = "";
        for await (const chunk of stream) got += chunk.choices[0]?.delta?.content ?? "";
        assert.equal(got, text);
        assert.equal(f.idle, 1, "the stream was read to its end");
      }
      assert.equal(openai.requests[1]!.headers["connection"], undefined);

      openai.enqueue({ text: ["x"] });
      const mainFetch = providerFetch(openai.url) as ReturnType<typeof createHttp1Fetch>;
      await (await mainFetch(`${openai.url}/models`)).text();
      assert.equal(mainFetch.idle, 0, "outside a worker, one connection per request");
    } finally {
      f.closeIdle();
      await openai.close();
    }
  }),
);

Deno.test("bounded (the deadline of the tests above): a body that never settles fails with a message", async () => {
  await assert.rejects(bounded(() => new Promise<void>(() => {}), 50)(), /did not finish within 50 ms/);
  await bounded(() => Promise.resolve(), 50)();
});
