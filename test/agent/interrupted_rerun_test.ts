import assert from "node:assert/strict";
import { answer } from "../fakes/scripted_model.ts";
import { harness } from "./helpers.ts";
import { agentStoreFrom } from "../../src/agent/mod.ts";
import { INTERRUPTED_NOTE } from "../../src/app/agent_job.ts";

Deno.test("run: a run re-run after a restart shows the model the interrupted message once", async () => {
  const h = await harness({ steps: [answer("here is the answer")] });
  try {
    const repos = agentStoreFrom(h.store);
    const session = await repos.sessions.ensure("agent:main:main", "main");
    // The first attempt of run r-1 wrote the user message, then the process died.
    await repos.transcripts.append(session.sessionId, [
      { kind: "user", content: { text: "what is the tallest tree?" }, runId: "r-1", tokens: 8 },
    ]);
    const handle = await h.runtime.start({
      agentId: "main",
      sessionKey: "agent:main:main",
      runId: "r-1",
      text: `${INTERRUPTED_NOTE}\n\nwhat is the tallest tree?`,
    });
    assert.equal((await handle.done).status, "ok");
    const sent = JSON.stringify(h.model.calls[0]!.req.messages);
    assert.equal(sent.split("what is the tallest tree?").length - 1, 1, `the message appears once: ${sent}`);
    assert.ok(sent.includes("Talon restarted"), "the model is told the earlier attempt was interrupted");
  } finally {
    await h.close();
  }
});
