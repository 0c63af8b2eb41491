import assert from "node:assert/strict";
import { bundleIsCurrent, WEB_BUNDLE } from "../../scripts/build_web.ts";
import { pickEncoding } from "../../src/gateway/static_files.ts";
import { startTestGateway } from "../helpers/gateway.ts";

Deno.test("the committed web/build/app.js is what the sources bundle to", async () => {
  const r = await bundleIsCurrent();
  assert.ok(r.fresh.length > 1000);
  assert.ok(r.current, "web/build/app.js is stale: run `deno run -A scripts/build_web.ts` and commit it");
});

Deno.test("the gateway serves the UI shell; the first load is under 150 KB and strict CSP", async () => {
  await using gw = await startTestGateway();
  const html = await fetch(gw.url + "/");
  assert.equal(html.status, 200);
  const csp = html.headers.get("content-security-policy") ?? "";
  assert.match(csp, /default-src 'self'/);
  const body = await html.text();
  const refs = [...body.matchAll(/(?:src|href)="(\/[^"]+)"/g)].map((m) => m[1]!);
  assert.ok(refs.some((r) => /^\/build\/app\.js\?v=[0-9a-f]{12}$/.test(r)), refs.join(", "));
  assert.ok(refs.some((r) => /^\/app\.css\?v=[0-9a-f]{12}$/.test(r)), refs.join(", "));
  let total = new TextEncoder().encode(body).length;
  for (const ref of refs) {
    const res = await fetch(gw.url + ref);
    assert.equal(res.status, 200, ref);
    const bytes = new Uint8Array(await res.arrayBuffer());
    total += bytes.length;
    if (ref.startsWith("/build/app.js")) {
      assert.match(res.headers.get("content-type") ?? "", /javascript/);
      assert.deepEqual(bytes, await Deno.readFile(WEB_BUNDLE));
    }
  }
  assert.ok(total <= 150 * 1024, `first load is ${total} bytes`);
  // Client-side routes fall back to the shell (deep links work).
  const deep = await fetch(gw.url + "/runs?run=run_abc123");
  assert.equal(deep.status, 200);
  assert.match(await deep.text(), /<div id="app">/);
  // And a token in the URL is refused outright.
  const withToken = await fetch(gw.url + "/?token=" + gw.token.token);
  assert.equal(withToken.status, 400);
  await withToken.body?.cancel();
});

/** Fetches `path` raw (no transparent decompression) with the given Accept-Encoding. */
async function raw(url: string, acceptEncoding: string) {
  const u = new URL(url);
  const conn = await Deno.connect({ hostname: u.hostname, port: Number(u.port) });
  try {
    const req = `GET ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\n` +
      `Accept-Encoding: ${acceptEncoding}\r\nConnection: close\r\n\r\n`;
    await conn.write(new TextEncoder().encode(req));
    const chunks: Uint8Array[] = [];
    const buf = new Uint8Array(65536);
    for (;;) {
      const n = await conn.read(buf);
      if (n === null) break;
      chunks.push(buf.slice(0, n));
    }
    const all = new Uint8Array(chunks.reduce((s, c) => s + c.length, 0));
    let o = 0;
    for (const c of chunks) all.set(c, (o += c.length) - c.length);
    const sep = new TextDecoder("latin1").decode(all).indexOf("\r\n\r\n");
    const head = new TextDecoder().decode(all.slice(0, sep)).toLowerCase();
    const headers = new Map(
      head.split("\r\n").slice(1).map((
        l,
      ) => [l.slice(0, l.indexOf(":")), l.slice(l.indexOf(":") + 1).trim()]),
    );
    return { headers, bodyBytes: all.length - sep - 4, head };
  } finally {
    try {
      conn.close();
    } catch { /* closed */ }
  }
}

Deno.test("the bundle is served compressed with Vary and a year of immutable caching for its hash", async () => {
  await using gw = await startTestGateway();
  const shell = await (await fetch(gw.url + "/")).text();
  const js = /src="(\/build\/app\.js\?v=[0-9a-f]+)"/.exec(shell)![1]!;
  const css = /href="(\/app\.css\?v=[0-9a-f]+)"/.exec(shell)![1]!;
  const size = (await Deno.stat(WEB_BUNDLE)).size;
  const uncompressed = await raw(gw.url + js, "identity");
  assert.equal(uncompressed.headers.get("content-encoding"), undefined);
  assert.equal(uncompressed.headers.get("vary"), "accept-encoding");
  assert.ok(!uncompressed.head.includes("transfer-encoding: chunked") || uncompressed.bodyBytes >= size);
  const br = await raw(gw.url + js, "gzip, deflate, br");
  assert.equal(br.headers.get("content-encoding"), "br");
  assert.equal(br.headers.get("vary"), "accept-encoding");
  assert.equal(br.headers.get("cache-control"), "public, max-age=31536000, immutable");
  assert.ok(Number(br.headers.get("content-length")) < size / 2, `br ${br.headers.get("content-length")}`);
  const gz = await raw(gw.url + css, "gzip");
  assert.equal(gz.headers.get("content-encoding"), "gzip");
  assert.equal(gz.headers.get("cache-control"), "public, max-age=31536000, immutable");
  // Without the current hash, the asset may be stale: short caching only. The shell is never cached.
  const stale = await raw(gw.url + "/build/app.js?v=000000000000", "gzip");
  assert.equal(stale.headers.get("cache-control"), "public, max-age=300");
  assert.equal((await raw(gw.url + "/", "br")).headers.get("cache-control"), "no-cache");
  // fetch() decompresses transparently: the bytes are the bundle.
  assert.deepEqual(
    new Uint8Array(await (await fetch(gw.url + js)).arrayBuffer()),
    await Deno.readFile(WEB_BUNDLE),
  );
});

Deno.test("pickEncoding: brotli first, then gzip, honouring q=0", () => {
  assert.equal(pickEncoding("gzip, deflate, br"), "br");
  assert.equal(pickEncoding("gzip"), "gzip");
  assert.equal(pickEncoding("br;q=0, gzip;q=0.5"), "gzip");
  assert.equal(pickEncoding("*"), "br");
  assert.equal(pickEncoding("identity"), undefined);
  assert.equal(pickEncoding(undefined), undefined);
  assert.equal(pickEncoding("gzip;q=0"), undefined);
});
