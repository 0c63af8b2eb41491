/** Helpers of the onboarding tests: a fake Ollama, a scripted prompter, captured CLI io. */
import type { CommandRunner } from "../../src/ops/command_runner.ts";
import type { Prompter } from "../../src/ops/onboard_wizard.ts";
import { freePort } from "../helpers/ports.ts";

/** A fake Ollama: GET /api/tags and the OpenAI-compatible GET /v1/models, on 127.0.0.1:0. */
export function startFakeOllama(models: string[]) {
  const requests: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    const path = new URL(req.url).pathname;
    requests.push(`${req.method} ${path}`);
    if (path === "/api/tags") {
      return Response.json({
        models: models.map((name) => ({ name, model: name, size: 1, digest: "d", details: {} })),
      });
    }
    if (path === "/v1/models") {
      return Response.json({
        object: "list",
        data: models.map((id) => ({ id, object: "model", created: 1, owned_by: "library" })),
      });
    }
    return new Response("404 page not found", { status: 404 });
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    requests,
    close: () => server.shutdown(),
  };
}

/** A loopback port nothing listens on. */
export function closedPort(): number {
  return freePort();
}

/** CLI io capturing output. */
export function captureIo(env: Record<string, string>, interactive = false) {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    text: () => [...out, ...err].join("\n"),
    io: { out: (t: string) => void out.push(t), err: (t: string) => void err.push(t), env, interactive },
  };
}

/** A command runner that records calls and succeeds. */
export function recordingRunner() {
  const calls: string[] = [];
  const runner: CommandRunner = (cmd, args) => {
    calls.push([cmd, ...args].join(" "));
    return Promise.resolve({ code: 0, stdout: "", stderr: "" });
  };
  return { runner, calls };
}

/**
 * A prompter answering from a script, in order. Each entry names the kind of question it answers, so a
 * wizard asking something unexpected fails the test instead of getting a wrong answer.
 */
export function scriptedPrompter(script: Array<[kind: string, answer: string | boolean]>) {
  const asked: string[] = [];
  const shown: string[] = [];
  const next = (kind: string, message: string): string | boolean => {
    asked.push(`${kind}: ${message}`);
    const entry = script.shift();
    if (!entry) throw new Error(`unexpected ${kind} "${message}": script is empty`);
    if (entry[0] !== kind) throw new Error(`expected a ${entry[0]} question, got ${kind} "${message}"`);
    return entry[1];
  };
  const prompter: Prompter = {
    intro: (t) => void shown.push(t),
    note: (m) => void shown.push(m),
    outro: (m) => void shown.push(m),
    select: (message, options) => {
      const answer = next("select", message) as string;
      if (!options.some((o) => o.value === answer)) {
        throw new Error(`"${answer}" is not an option of "${message}": ${options.map((o) => o.value)}`);
      }
      return Promise.resolve(answer as typeof options[number]["value"]);
    },
    text: (message) => Promise.resolve(next("text", message) as string),
    password: (message) => Promise.resolve(next("password", message) as string),
    confirm: (message) => Promise.resolve(next("confirm", message) as boolean),
    spin: (message) => {
      shown.push(`… ${message}`);
      return (done, ok) => void shown.push(`${ok ? "✓" : "✗"} ${done}`);
    },
  };
  return { prompter, asked, shown, remaining: () => script.length };
}
