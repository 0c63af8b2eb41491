import assert from "node:assert/strict";
import { createLogger, memorySink } from "../../src/core/logger.ts";
import { fileSink, tailLogFile } from "../../src/core/log_file.ts";
import { redactText, redactValue } from "../../src/core/redact.ts";
import { tempHome } from "../helpers/temp.ts";

Deno.test("log lines are redacted and carry runId/sessionKey from child loggers", () => {
  const sink = memorySink();
  const log = createLogger({ sinks: [sink], now: () => 0 }).child({
    runId: "run_1",
    sessionKey: "agent:main:main",
  });
  log.info("calling with Bearer abcdefghijklmnop", {
    apiKey: "sk-1234567890abcdef",
    nested: { botToken: "123:abc" },
  });
  const [r] = sink.records;
  assert.equal(r!.runId, "run_1");
  assert.equal(r!.sessionKey, "agent:main:main");
  assert.equal(r!.msg, "calling with Bearer [redacted]");
  assert.equal(r!.apiKey, "[redacted]");
  assert.deepEqual(r!.nested, { botToken: "[redacted]" });
  assert.equal(r!.ts, "1970-01-01T00:00:00.000Z");
});

Deno.test("log level filters lower levels; a throwing sink never breaks logging", () => {
  const sink = memorySink();
  const log = createLogger({
    level: "warn",
    sinks: [{
      write: () => {
        throw new Error("disk full");
      },
    }, sink],
  });
  log.info("dropped");
  log.warn("kept");
  assert.deepEqual(sink.records.map((r) => r.msg), ["kept"]);
});

Deno.test("redaction keeps ${ENV} references and catches known key formats in free text", () => {
  assert.deepEqual(redactValue({ token: "${TALON_TOKEN}", password: "hunter2", port: 1 }), {
    token: "${TALON_TOKEN}",
    password: "[redacted]",
    port: 1,
  });
  assert.equal(
    redactText("key sk-ant-abcdefghijklmnop and 123456:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefgh"),
    "key [redacted] and [redacted]",
  );
});

Deno.test("the log file rotates by size and keeps maxFiles generations", async () => {
  await using home = await tempHome();
  const sink = fileSink({ dir: home.dir, maxBytes: 300, maxFiles: 2 });
  const log = createLogger({ sinks: [sink] });
  for (let i = 0; i < 40; i++) log.info(`line ${i}`);
  sink.close?.();
  const names = [...Deno.readDirSync(home.dir)].map((e) => e.name).sort();
  assert.deepEqual(names, ["talon.log", "talon.log.1", "talon.log.2"]);
  const current = await Deno.readTextFile(`${home.dir}/talon.log`);
  assert.ok(current.length <= 300);
  assert.match(current, /"msg":"line 39"/);
  assert.equal((await Deno.stat(`${home.dir}/talon.log`)).mode! & 0o777, 0o600);
});

Deno.test("tailLogFile follows a cursor without skipping lines and resets after rotation", async () => {
  await using home = await tempHome();
  const path = `${home.dir}/talon.log`;
  await Deno.writeTextFile(path, "a\nb\nc\n");
  const first = await tailLogFile(path, { limit: 2 });
  assert.deepEqual(first.lines, ["b", "c"]);
  await Deno.writeTextFile(path, "d\ne\nf\npartial", { append: true });
  const next = await tailLogFile(path, { cursor: first.cursor, limit: 2 });
  assert.deepEqual(next.lines, ["d", "e"], "oldest first when following");
  const rest = await tailLogFile(path, { cursor: next.cursor });
  assert.deepEqual(rest.lines, ["f"], "an unfinished line is not handed out");
  await Deno.writeTextFile(path, "new\n");
  const after = await tailLogFile(path, { cursor: rest.cursor });
  assert.equal(after.reset, true);
  assert.deepEqual(after.lines, ["new"]);
});
