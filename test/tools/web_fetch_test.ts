import assert from "node:assert/strict";
import { createWebFetchTool, type Resolver } from "../../src/tools/web_fetch.ts";
import { blockedReason, hostAllowed, parseIp } from "../../src/tools/net_guard.ts";
import { htmlToText } from "../../src/tools/html_text.ts";
import { createSandbox } from "../../src/tools/sandbox/sandbox.ts";
import type { ConfigInput } from "../../src/config/schema.ts";
import { toolsConfig, toolsEnv, toolsRegistry } from "../fakes/tools_env.ts";

function setup(web: NonNullable<ConfigInput["tools"]>["web"] = {}, resolve?: Resolver) {
  const config = toolsConfig({ tools: { profile: "full", web } });
  const resolved: string[] = [];
  const resolver: Resolver = async (host) => {
    resolved.push(host);
    if (resolve) return await resolve(host);
    throw new Error(`test resolver: no answer for ${host}`);
  };
  const sandbox = createSandbox({ timeoutMs: 20_000 });
  const reg = toolsRegistry([createWebFetchTool({ config: config.tools, sandbox, resolve: resolver })], {
    config,
  });
  return { reg, resolved };
}

function serve() {
  const hits: string[] = [];
  const server: Deno.HttpServer<Deno.NetAddr> = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen: () => {},
  }, (req): Response => {
    const url = new URL(req.url);
    hits.push(url.pathname);
    const port: number = server.addr.port;
    switch (url.pathname) {
      case "/page":
        return new Response(
          `<!doctype html><html><head><title>Test &amp; Page</title><style>p{}</style></head><body>
           <h1>Hello</h1><script>alert(1)</script><p>First&nbsp;para with <a href="/x">a link</a>.</p>
           <ul><li>one</li><li>two</li></ul></body></html>`,
          { headers: { "content-type": "text/html; charset=utf-8" } },
        );
      case "/redirect":
        return Response.redirect(`http://127.0.0.1:${port}/page`, 302);
      case "/to-localhost":
        return Response.redirect(`http://localhost:${port}/page`, 302);
      case "/to-mapped":
        return Response.redirect(`http://[::ffff:127.0.0.1]:${port}/page`, 301);
      case "/to-v6-loopback":
        return Response.redirect(`http://[::1]:${port}/page`, 307);
      case "/to-metadata":
        return Response.redirect("http://169.254.169.254/latest/meta-data/", 302);
      case "/big":
        return new Response("x".repeat(50_000), { headers: { "content-type": "text/plain" } });
      case "/loop":
        return Response.redirect(`http://127.0.0.1:${port}/loop`, 302);
      default:
        return new Response("nope", { status: 404 });
    }
  });
  return { server, hits, base: `http://127.0.0.1:${server.addr.port}` };
}

Deno.test("web_fetch GETs a page from the loopback test server and returns readable text", async () => {
  const { server, base } = serve();
  await using env = await toolsEnv();
  try {
    const { reg } = setup({ testAllowLoopback: true });
    const r = await reg.execute("web_fetch", { url: `${base}/redirect` }, env.ctx());
    assert.equal(r.isError, undefined, r.content);
    assert.equal(
      r.content,
      `200 ${base}/page\nTitle: Test & Page\n\n# Hello\n\nFirst para with a link.\n\n- one\n- two`,
    );
    const big = await toolsRegistryBig(base, env.ctx());
    assert.match(big, /^200 .*\n\nx{1024}\n\[truncated\]$/);
    const missing = await reg.execute("web_fetch", { url: `${base}/missing` }, env.ctx());
    assert.equal(missing.isError, true);
    assert.match(missing.content, /^404 /);
    const loop = await reg.execute("web_fetch", { url: `${base}/loop` }, env.ctx());
    assert.match(loop.content, /too many redirects/);
  } finally {
    await server.shutdown();
  }
});

async function toolsRegistryBig(base: string, ctx: ReturnType<Awaited<ReturnType<typeof toolsEnv>>["ctx"]>) {
  const { reg } = setup({ testAllowLoopback: true, maxBytes: 1024 });
  return (await reg.execute("web_fetch", { url: `${base}/big` }, ctx)).content;
}

Deno.test("web_fetch refuses internal addresses before connecting", async () => {
  await using env = await toolsEnv();
  const { reg, resolved } = setup({}, (host) =>
    Promise.resolve(
      ({
        "evil.example": ["127.0.0.1"],
        "mixed.example": ["93.184.216.34", "10.0.0.7"],
        "six.example": ["fd00::1"],
      } as Record<
        string,
        string[]
      >)[host] ?? [],
    ));
  const cases: [string, RegExp][] = [
    ["http://127.0.0.1/", /loopback/],
    ["http://127.9.9.9:8080/", /loopback/],
    ["http://[::1]/", /loopback/],
    ["http://[::ffff:127.0.0.1]/", /IPv4-mapped IPv6/],
    ["http://[::ffff:7f00:1]/", /IPv4-mapped IPv6/],
    ["http://10.1.2.3/", /private/],
    ["http://192.168.1.1/", /private/],
    ["http://172.20.0.1/", /private/],
    ["http://100.64.0.1/", /carrier-grade NAT/],
    ["http://169.254.169.254/latest/meta-data/", /link-local \/ cloud metadata/],
    ["http://0.0.0.0/", /unspecified/],
    ["http://[fe80::1]/", /link-local/],
    ["http://localhost/", /local host name/],
    ["http://api.localhost/", /local host name/],
    ["http://evil.example/", /evil\.example \(127\.0\.0\.1\): loopback/],
    ["http://mixed.example/", /10\.0\.0\.7\): private/],
    ["http://six.example/", /unique local/],
    ["file:///etc/passwd", /only fetches http and https/],
    ["http://user:pw@example.com/", /credentials/],
    ["not a url", /^InvalidInput/],
  ];
  for (const [url, pattern] of cases) {
    const r = await reg.execute("web_fetch", { url }, env.ctx());
    assert.equal(r.isError, true, url);
    assert.match(r.content, pattern, url);
    if (!/InvalidInput/.test(r.content)) assert.match(r.content, /^NotCapable: /, url);
  }
  assert.deepEqual(resolved.sort(), ["evil.example", "mixed.example", "six.example"]);
});

Deno.test("web_fetch refuses redirects to loopback even when the test switch allows 127.0.0.1", async () => {
  const { server, base, hits } = serve();
  await using env = await toolsEnv();
  try {
    const { reg } = setup({ testAllowLoopback: true });
    for (const path of ["/to-localhost", "/to-mapped", "/to-v6-loopback", "/to-metadata"]) {
      const r = await reg.execute("web_fetch", { url: `${base}${path}` }, env.ctx());
      assert.equal(r.isError, true, path);
      assert.match(r.content, /^NotCapable: web_fetch refuses/, path);
    }
    assert.deepEqual(
      hits,
      ["/to-localhost", "/to-mapped", "/to-v6-loopback", "/to-metadata"],
      "no final page was fetched",
    );
  } finally {
    await server.shutdown();
  }
});

Deno.test("web_fetch honours tools.web.allowHosts", async () => {
  await using env = await toolsEnv();
  const { reg, resolved } = setup({ allowHosts: ["docs.example.com", "*.deno.land"] });
  const r = await reg.execute("web_fetch", { url: "https://evil.example.org/" }, env.ctx());
  assert.match(r.content, /^NotCapable: net evil\.example\.org is not in tools\.web\.allowHosts/);
  assert.equal(resolved.length, 0);
  assert.equal(hostAllowed("api.deno.land", ["*.deno.land"]), true);
  assert.equal(hostAllowed("deno.land.evil.com", ["*.deno.land"]), false);
});

Deno.test("parseIp and blockedReason", () => {
  assert.deepEqual([...parseIp("::ffff:1.2.3.4")!], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255, 1, 2, 3, 4]);
  assert.deepEqual([...parseIp("2001:db8::1")!].slice(0, 4), [0x20, 0x01, 0x0d, 0xb8]);
  assert.equal(parseIp("1.2.3"), undefined);
  assert.equal(parseIp("256.1.1.1"), undefined);
  assert.equal(parseIp("1::2::3"), undefined);
  assert.equal(blockedReason("93.184.216.34"), undefined);
  assert.equal(blockedReason("2606:4700::1111"), undefined);
  assert.match(blockedReason("64:ff9b::a00:1") ?? "", /^NAT64 of 10\.0\.0\.1/);
  assert.equal(blockedReason("::"), "unspecified");
});

Deno.test("htmlToText decodes entities and drops scripts", () => {
  assert.equal(htmlToText("<p>a &lt;b&gt; &#x41;&#66;</p><script>x()</script><p>c</p>"), "a <b> AB\n\nc");
});
