import assert from "node:assert/strict";
import { validateConfig } from "../../src/config/load.ts";
import { systemClock } from "../../src/core/clock.ts";
import { silentLogger } from "../../src/core/logger.ts";
import { createMcpHub } from "../../src/mcp/hub.ts";

import { FIXTURE, stdioServer } from "./mcp_fixture.ts";

function hubFor(servers: Record<string, unknown>, mcp: Record<string, unknown> = {}, mediaDir?: string) {
  const config = validateConfig({ mcp: { servers, ...mcp } }, { env: {}, file: "talon.json" });
  return createMcpHub({ config, clock: systemClock, logger: silentLogger, mediaDir });
}

Deno.test("MCP over stdio: tools listed as mcp__<server>__<tool>; lying and oversized schemas refused, long descriptions cut", async () => {
  const hub = hubFor({ fx: stdioServer() });
  try {
    const tools = await hub.tools();
    const names = tools.map((t) => t.name);
    assert.ok(names.includes("mcp__fx__echo") && names.includes("mcp__fx__add"), names.join());
    assert.ok(!names.includes("mcp__fx__liar") && !names.includes("mcp__fx__huge_schema"));
    const long = tools.find((t) => t.name === "mcp__fx__long_description")!;
    assert.equal(long.description.length, 300);
    const [status] = hub.status();
    assert.equal(status!.state, "ready");
    const notes = status!.notes.map((n) => `${n.tool}: ${n.note}`).join("\n");
    assert.match(notes, /liar: refused: its inputSchema is not a JSON Schema with type "object"/);
    assert.match(notes, /huge_schema: refused: its schema is \d+ bytes \(mcp.maxSchemaBytes 8000\)/);
    assert.match(notes, /long_description: description cut from 2000 to 300/);
    assert.equal((await hub.call("mcp__fx__echo", { text: "hi" })).content, "echo: hi");
    assert.equal((await hub.call("mcp__fx__add", { a: 2, b: 40 })).content, "42");
  } finally {
    await hub.stop();
  }
});

Deno.test("MCP: oversized results are cut with a note; images are saved; unknown tools refused", async () => {
  const media = await Deno.makeTempDir({ prefix: "talon-mcp-media-" });
  const hub = hubFor({ fx: stdioServer() }, { maxResultBytes: 10_000 }, media);
  try {
    const big = await hub.call("mcp__fx__big", {});
    assert.ok(big.content.length < 11_000);
    assert.match(big.content, /returned 500000 bytes; cut at 10000 \(mcp.maxResultBytes\)/);
    const img = await hub.call("mcp__fx__image", {});
    assert.equal(img.images.length, 1);
    assert.equal(img.images[0]!.mime, "image/png");
    assert.match(img.content, /a pixel\n\[image image\/png, \d+ bytes, saved to /);
    assert.ok((await Deno.stat(img.images[0]!.path)).size > 10);
    await assert.rejects(hub.call("mcp__fx__nope", {}), /offers no tool nope/);
    await assert.rejects(hub.call("mcp__ghost__echo", {}), /no MCP server for mcp__ghost__echo/);
  } finally {
    await hub.stop();
    await Deno.remove(media, { recursive: true });
  }
});

Deno.test("MCP: a call past timeoutMs fails clearly and the server keeps serving", async () => {
  const hub = hubFor({ fx: stdioServer({ timeoutMs: 500 }) });
  try {
    await hub.tools();
    await assert.rejects(hub.call("mcp__fx__slow", { ms: 20_000 }), /slow did not answer within 500 ms/);
    assert.equal((await hub.call("mcp__fx__echo", { text: "still" })).content, "echo: still");
  } finally {
    await hub.stop();
  }
});

Deno.test("MCP: a crashed server is restarted on next use after the backoff, not before", async () => {
  let now = 1_000_000;
  const clock = { ...systemClock, now: () => now };
  const config = validateConfig({ mcp: { servers: { fx: stdioServer() } } }, { env: {}, file: "talon.json" });
  const hub = createMcpHub({ config, clock, logger: silentLogger });
  try {
    await hub.call("mcp__fx__crash", {}).catch(() => {});
    const deadline = Date.now() + 20_000;
    while (hub.status()[0]!.state !== "failed") {
      if (Date.now() > deadline) {
        throw new Error(`the crash was not noticed: ${JSON.stringify(hub.status())}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(hub.status()[0]!.restarts, 1);
    await assert.rejects(hub.call("mcp__fx__echo", { text: "x" }), /is down .* restarts in 1 s/);
    now += 1_000;
    assert.equal((await hub.call("mcp__fx__echo", { text: "back" })).content, "echo: back");
    assert.equal(hub.status()[0]!.state, "ready");
  } finally {
    await hub.stop();
  }
});

Deno.test("MCP over streamable HTTP: loopback refused by the guard unless allowPrivate", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", FIXTURE, "http"],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  try {
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    const deadline = Date.now() + 30_000;
    while (!/listening (\d+)/.test(text)) {
      if (Date.now() > deadline) throw new Error(`the HTTP fixture did not start: ${text}`);
      const { value, done } = await reader.read();
      if (done) throw new Error(`the HTTP fixture exited: ${text}`);
      text += value;
    }
    reader.releaseLock();
    const url = `http://127.0.0.1:${/listening (\d+)/.exec(text)![1]}/mcp`;
    const guarded = hubFor({ web: { url } });
    await assert.rejects(
      guarded.call("mcp__web__echo", { text: "x" }),
      /127\.0\.0\.1 \(loopback\).*allowPrivate/,
    );
    await guarded.stop();
    const hub = hubFor({ web: { url, allowPrivate: true } });
    try {
      assert.equal((await hub.call("mcp__web__echo", { text: "over http" })).content, "echo: over http");
      assert.equal(hub.status()[0]!.transport, "http");
    } finally {
      await hub.stop();
    }
  } finally {
    child.kill("SIGKILL");
    await child.status;
    await child.stdout.cancel().catch(() => {});
  }
});
