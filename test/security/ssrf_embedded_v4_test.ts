// Attack: reach an internal IPv4 through an IPv6 address that embeds it — NAT64 (64:ff9b::/96), local-use
// NAT64 (64:ff9b:1::/48) or Teredo (2001::/32) — as a literal or as what a name resolves to. Before the
// fix, 64:ff9b:1::/48 and Teredo addresses were treated as public and fetched.
import assert from "node:assert/strict";
import { createWebFetchTool } from "../../src/tools/web_fetch.ts";
import { blockedReason } from "../../src/tools/net_guard.ts";
import { createSandbox } from "../../src/tools/sandbox/sandbox.ts";
import { toolsConfig, toolsEnv, toolsRegistry } from "../fakes/tools_env.ts";

// Teredo: server 65.54.227.120 (public), client 127.0.0.1 stored inverted (~7f000001 = 80fffffe).
const TEREDO_TO_LOOPBACK = "2001:0:4136:e378:8000:63bf:80ff:fffe";
// Teredo whose server part is the metadata address 169.254.169.254 (a9fe:a9fe); client 93.184.216.34.
const TEREDO_VIA_METADATA = "2001:0:a9fe:a9fe:8000:63bf:a247:27dd";

Deno.test("web_fetch refuses NAT64 and Teredo addresses of internal IPv4s, literal or resolved", async () => {
  await using env = await toolsEnv();
  const config = toolsConfig({ tools: { profile: "full" } });
  const answers: Record<string, string[]> = {
    "nat64.example": ["64:ff9b::a9fe:a9fe"],
    "local-nat64.example": ["64:ff9b:1::7f00:1"],
    "teredo.example": [TEREDO_TO_LOOPBACK],
  };
  const reg = toolsRegistry([
    createWebFetchTool({
      config: config.tools,
      sandbox: createSandbox({ timeoutMs: 20_000 }),
      resolve: (host) => Promise.resolve(answers[host] ?? []),
    }),
  ], { config });
  const cases: [string, RegExp][] = [
    ["http://[64:ff9b::7f00:1]/", /NAT64 of 127\.0\.0\.1 \(loopback\)/],
    ["http://[64:ff9b::a9fe:a9fe]/latest/meta-data/", /NAT64 of 169\.254\.169\.254/],
    ["http://[64:ff9b:1::7f00:1]/", /local-use NAT64 of 127\.0\.0\.1/],
    ["http://[64:ff9b:1:7f00:1::]/", /local-use NAT64 of /], // 127.0.0.1 in the /48 position
    ["http://[64:ff9b:1:0:a:0:1:0]/", /local-use NAT64 of /], // 10.0.0.1 in the /64 position
    [`http://[${TEREDO_TO_LOOPBACK}]/`, /Teredo of 127\.0\.0\.1 \(loopback\)/],
    [`http://[${TEREDO_VIA_METADATA}]/`, /Teredo of 169\.254\.169\.254/],
    ["http://nat64.example/", /NAT64 of 169\.254\.169\.254/],
    ["http://local-nat64.example/", /local-use NAT64 of 127\.0\.0\.1/],
    ["http://teredo.example/", /Teredo of 127\.0\.0\.1/],
  ];
  for (const [url, pattern] of cases) {
    const r = await reg.execute("web_fetch", { url }, env.ctx());
    assert.equal(r.isError, true, url);
    assert.match(r.content, /^NotCapable: /, url);
    assert.match(r.content, pattern, url);
  }
});

Deno.test("NAT64 and Teredo addresses of public IPv4s are judged by that IPv4", () => {
  assert.equal(blockedReason("64:ff9b::5db8:d822"), undefined); // 93.184.216.34
  assert.equal(blockedReason("2001:0:4136:e378:8000:63bf:a247:27dd"), undefined); // client 93.184.216.34
  // Local-use NAT64: every RFC 6052 position must decode to a public IPv4.
  assert.match(blockedReason("64:ff9b:1:7f00:1::") ?? "", /local-use NAT64/);
  assert.match(blockedReason("64:ff9b:1::7f00:1") ?? "", /local-use NAT64 of 127\.0\.0\.1 \(loopback\)/);
});
