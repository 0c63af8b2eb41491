import assert from "node:assert/strict";
import { bundleIsCurrent, WEB_BUNDLE } from "../../scripts/build_web.ts";
import { startTestGateway } from "../helpers/gateway.ts";

Deno.test("the committed web/build/app.js is what the sources bundle to", async () => {
  const r = await bundleIsCurrent();
  assert.ok(r.fresh.length > 1000);
  assert.ok(r.current, "web/build/app.js is stale: run `deno run -A scripts/build_web.ts` and commit it");
});

Deno.test("the gateway serves the UI shell; the first load is under 300 KB and strict CSP", async () => {
  await using gw = await startTestGateway();
  const html = await fetch(gw.url + "/");
  assert.equal(html.status, 200);
  const csp = html.headers.get("content-security-policy") ?? "";
  assert.match(csp, /default-src 'self'/);
  const body = await html.text();
  const refs = [...body.matchAll(/(?:src|href)="(\/[^"]+)"/g)].map((m) => m[1]!);
  assert.ok(refs.includes("/build/app.js") && refs.includes("/app.css"), refs.join(", "));
  let total = new TextEncoder().encode(body).length;
  for (const ref of refs) {
    const res = await fetch(gw.url + ref);
    assert.equal(res.status, 200, ref);
    const bytes = new Uint8Array(await res.arrayBuffer());
    total += bytes.length;
    if (ref === "/build/app.js") {
      assert.match(res.headers.get("content-type") ?? "", /javascript/);
      assert.deepEqual(bytes, await Deno.readFile(WEB_BUNDLE));
    }
  }
  assert.ok(total < 300 * 1024, `first load is ${total} bytes`);
  // Client-side routes fall back to the shell (deep links work).
  const deep = await fetch(gw.url + "/runs?run=run_abc123");
  assert.equal(deep.status, 200);
  assert.match(await deep.text(), /<div id="app">/);
  // And a token in the URL is refused outright.
  const withToken = await fetch(gw.url + "/?token=" + gw.token.token);
  assert.equal(withToken.status, 400);
  await withToken.body?.cancel();
});
