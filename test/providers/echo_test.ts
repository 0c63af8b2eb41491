import assert from "node:assert/strict";
import { createEchoProvider, ECHO_NOTICE } from "../../src/providers/echo.ts";
import { collect, request, textOf, WEATHER_TOOL } from "./helpers.ts";

Deno.test("echo: repeats the last user message, labelled, in several deltas, deterministically", async () => {
  const echo = createEchoProvider();
  const req = () =>
    request({
      messages: [{ role: "user", content: "first" }, { role: "assistant", content: "x" }, {
        role: "user",
        content: "the quick brown fox jumps over",
      }],
    });
  const a = await collect(echo.stream(req()));
  const b = await collect(echo.stream(req()));
  assert.equal(textOf(a.events), `${ECHO_NOTICE} the quick brown fox jumps over`);
  assert.ok(a.events.filter((e) => e.type === "text").length > 1, "streams in more than one delta");
  assert.deepEqual(a.events, b.events);
  assert.deepEqual(a.events.at(-1), { type: "stop", reason: "end" });
  assert.equal(a.events.at(-2)?.type, "usage");
  assert.equal(echo.id, "echo");
  assert.deepEqual(await echo.listModels!(), ["echo"]);
});

Deno.test("echo: '/tool <name> <json>' emits that tool call, and a tool result ends the loop", async () => {
  const echo = createEchoProvider();
  const first = await collect(echo.stream(request({
    tools: [WEATHER_TOOL],
    messages: [{ role: "user", content: '/tool get_weather {"city":"Oslo"}' }],
  })));
  assert.deepEqual(first.events[0], {
    type: "tool_call",
    call: { id: "echo_call_1", name: "get_weather", arguments: { city: "Oslo" } },
  });
  assert.deepEqual(first.events.at(-1), { type: "stop", reason: "tool_use" });
  const second = await collect(echo.stream(request({
    tools: [WEATHER_TOOL],
    messages: [
      { role: "user", content: '/tool get_weather {"city":"Oslo"}' },
      {
        role: "assistant",
        content: "",
        toolCalls: [{ id: "echo_call_1", name: "get_weather", arguments: { city: "Oslo" } }],
      },
      { role: "tool", toolCallId: "echo_call_1", name: "get_weather", content: "sunny, 21C" },
    ],
  })));
  assert.match(textOf(second.events), /tool get_weather returned: sunny, 21C$/);
  assert.deepEqual(second.events.at(-1), { type: "stop", reason: "end" });
});

Deno.test("echo: bad /tool input gets an explanation instead of a call", async () => {
  const echo = createEchoProvider();
  const bad = await collect(
    echo.stream(
      request({ tools: [WEATHER_TOOL], messages: [{ role: "user", content: "/tool get_weather {nope" }] }),
    ),
  );
  assert.match(textOf(bad.events), /needs JSON object arguments/);
  const arr = await collect(
    echo.stream(
      request({ tools: [WEATHER_TOOL], messages: [{ role: "user", content: "/tool get_weather [1]" }] }),
    ),
  );
  assert.match(textOf(arr.events), /needs JSON object arguments/);
  const unknown = await collect(
    echo.stream(request({ tools: [WEATHER_TOOL], messages: [{ role: "user", content: "/tool rm_rf {}" }] })),
  );
  assert.match(textOf(unknown.events), /tool "rm_rf" is not available \(offered: get_weather\)/);
  assert.ok(!unknown.events.some((e) => e.type === "tool_call"));
});

Deno.test("echo: an aborted request throws aborted", async () => {
  const ctl = new AbortController();
  ctl.abort();
  const { error } = await collect(createEchoProvider().stream(request({ signal: ctl.signal })));
  assert.equal(error?.kind, "aborted");
});
