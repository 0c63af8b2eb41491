/**
 * Earlier transcripts of a session key: after `/new` the old transcript is listed (date, message count)
 * and readable; the owner (admin credential) sees every one, a read/write API credential only those its
 * own runs wrote — someone else's is left out of the list and refused like a missing one.
 */
import assert from "node:assert/strict";
import type { GatewayClient } from "../../src/gateway/client.ts";
import { addToken, startTestGateway } from "../helpers/gateway.ts";

const CONFIG = { agents: { defaults: { model: { primary: "echo/echo" } } } };

async function say(client: GatewayClient, sessionKey: string, text: string): Promise<void> {
  const { runId } = await client.request<{ runId: string }>("chat.send", { sessionKey, text });
  await client.request("agent.wait", { runId, timeoutMs: 30_000 }, { timeoutMs: 35_000 });
}

interface Listed {
  transcripts: { sessionId: string; endedAt: number; firstTs: number; messages: number; entries: number }[];
}

Deno.test("sessions.transcripts: /new keeps the old transcript, listed and readable by its owner only", async () => {
  await using gw = await startTestGateway(CONFIG);
  const owner = await gw.connect();
  const api = await gw.connect({ token: await addToken(gw, ["read", "write"]) });
  try {
    const mine = "agent:main:webchat:owner";
    await say(owner, mine, "first conversation");
    await say(owner, mine, "/new");
    await say(owner, mine, "second conversation");
    await say(owner, mine, "/reset");
    await say(owner, mine, "third conversation");

    const listed = await owner.request<Listed>("sessions.transcripts", { sessionKey: mine });
    assert.equal(listed.transcripts.length, 2, JSON.stringify(listed));
    const [newer, older] = listed.transcripts as [Listed["transcripts"][0], Listed["transcripts"][0]];
    assert.ok(newer.endedAt >= older.endedAt);
    // The user's message and the echo's answer.
    assert.equal(older.messages, 2);
    assert.ok(older.firstTs <= older.endedAt);
    const old = await owner.request<{ entries: { kind: string; content: { text?: string } }[] }>(
      "sessions.transcript",
      { sessionId: older.sessionId },
    );
    assert.ok(old.entries.some((e) => e.kind === "user" && e.content.text === "first conversation"));
    assert.ok(!old.entries.some((e) => e.content.text === "third conversation"));
    // The current transcript is not an earlier one.
    const current = await owner.request<{ session: { sessionId: string } }>("sessions.get", {
      sessionKey: mine,
    });
    assert.ok(!listed.transcripts.some((t) => t.sessionId === current.session.sessionId));
    await assert.rejects(
      owner.request("sessions.transcript", { sessionId: current.session.sessionId }),
      /NOT_FOUND|No earlier transcript/,
    );

    // The API credential: its own earlier transcript yes, the owner's no.
    const theirs = "agent:main:webchat:app";
    await say(api, theirs, "app conversation");
    await say(api, theirs, "/new");
    const own = await api.request<Listed>("sessions.transcripts", { sessionKey: theirs });
    assert.equal(own.transcripts.length, 1);
    await api.request("sessions.transcript", { sessionId: own.transcripts[0]!.sessionId });
    assert.deepEqual(
      (await api.request<Listed>("sessions.transcripts", { sessionKey: mine })).transcripts,
      [],
    );
    await assert.rejects(
      api.request("sessions.transcript", { sessionId: older.sessionId }),
      (err: Error & { code?: string }) => {
        assert.equal(err.code, "NOT_FOUND");
        return true;
      },
    );
    // The owner reads the app's too.
    assert.equal(
      (await owner.request<Listed>("sessions.transcripts", { sessionKey: theirs })).transcripts.length,
      1,
    );

    // Bad input.
    await assert.rejects(owner.request("sessions.transcripts", {}), /INVALID|sessionKey/);
    await assert.rejects(owner.request("sessions.transcript", { sessionId: "" }), /INVALID|sessionId/);

    // Deleting the session takes its earlier transcripts along.
    await owner.request("sessions.delete", { sessionKey: mine });
    assert.deepEqual(
      (await owner.request<Listed>("sessions.transcripts", { sessionKey: mine })).transcripts,
      [],
    );
    await assert.rejects(
      owner.request("sessions.transcript", { sessionId: older.sessionId }),
      /NOT_FOUND|No earlier/,
    );
  } finally {
    await api.close();
    await owner.close();
  }
});
