/**
 * `gateway.restart` restarts the gateway inside the process: only an admin credential may ask; an invalid
 * talon.json is refused and the gateway keeps running; otherwise every connection is closed with 1012,
 * the gateway comes back on the same address with the config loaded again, and nothing in flight is lost —
 * a run interrupted by the restart runs again and answers once, a reply waiting in the outbox is sent once.
 */
import assert from "node:assert/strict";
import { createFakeOpenAI } from "../fakes/fake_openai.ts";
import { startFakeTelegram } from "../fakes/fake_telegram.ts";
import { telegramGatewayConfig } from "../helpers/configs.ts";
import { addToken, eventually as until, startTestGateway } from "../helpers/gateway.ts";

Deno.test({
  name: "gateway.restart: admin only, refuses a bad config, restarts with the new one, loses nothing",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const provider = createFakeOpenAI({ apiKey: "test-key" });
    const telegram = startFakeTelegram();
    try {
      const { gateway: _g, logging: _l, ...config } = telegramGatewayConfig({
        providerUrl: provider.url,
        telegram,
      });
      await using gw = await startTestGateway(config, { restartable: true });
      const file = `${gw.home}/talon.json`;
      const port = gw.port;
      const admin = await gw.connect();
      const app = await gw.connect({ token: await addToken(gw, ["read", "write"]) });

      // A read/write credential may not restart the gateway.
      await assert.rejects(app.request("gateway.restart", {}), (err: Error & { code?: string }) => {
        assert.equal(err.code, "FORBIDDEN");
        return true;
      });
      await app.close();

      // An invalid file is refused before anything stops.
      const good = JSON.parse(await Deno.readTextFile(file));
      await Deno.writeTextFile(file, JSON.stringify({ ...good, agents: { shards: "many" } }));
      await assert.rejects(admin.request("gateway.restart", {}), /agents\.shards/);
      assert.equal((await admin.request<{ ok: boolean }>("health", {})).ok, true);
      assert.equal(gw.port, port);

      // In the outbox: an answer Telegram asked to retry in two minutes.
      provider.enqueue({ text: "answer for chat one" });
      telegram.failNext("sendMessage", { status: 429, retryAfter: 120 });
      telegram.pushMessage({ chat: { id: 1, type: "private" }, from: { id: 1 }, text: "first" });
      const waiting = await until("the reply waiting in the outbox", async () => {
        const rows = await gw.store.db.query<{ id: number; attempts: number }>(
          "SELECT id, attempts FROM lane_outbox WHERE state = 'pending' AND attempts >= 1",
        );
        return rows[0];
      });
      // In the inbox: a run whose model is still answering.
      provider.enqueue({ text: "half an answer", hangAfterChunks: 1 }, { text: "answer for chat two" });
      telegram.pushMessage({ chat: { id: 2, type: "private" }, from: { id: 2 }, text: "second" });
      await provider.waitForRequests(2);
      await until("the run in progress", async () => {
        const rows = await gw.store.db.query("SELECT 1 FROM lane_inbox WHERE state = 'running'");
        return rows.length ? true : undefined;
      });

      // The new config adds an agent.
      await Deno.writeTextFile(
        file,
        JSON.stringify({ ...good, agents: { ...good.agents, list: [{ id: "main" }, { id: "helper" }] } }),
      );
      const before = gw.store;
      const answer = await admin.request<{ restarting: boolean; changed: string[] }>("gateway.restart", {});
      assert.deepEqual(answer, { restarting: true, changed: ["agents"] });
      // The old connection is closed with 1012 (service restart), not dropped.
      const closed = await until("the old connection to close", async () => {
        try {
          await admin.request("health", {});
          return undefined;
        } catch (err) {
          return err as Error;
        }
      }, 30_000);
      assert.match(closed.message, /1012/);
      await admin.close().catch(() => {});

      const again = await until("the restarted gateway", () => gw.connect());
      // It listens a moment before the supervisor hands it out: wait for the new parts too.
      await until("the new gateway's store", () => Promise.resolve(gw.store !== before ? true : undefined));
      try {
        assert.equal(gw.port, port, "same address after the restart");
        const agents = await again.request<{ agents: { id: string }[] }>("ui.agents", {});
        assert.deepEqual(agents.agents.map((a) => a.id).sort(), ["helper", "main"]);
        const audit = await gw.store.audit.list({ kind: "gateway.restart", limit: 5 });
        assert.equal(audit.length, 1);

        // The interrupted run ran again and answered; the waiting reply is still there, then sent once.
        await telegram.waitForSent(
          (s) => s.some((m) => m.chat_id === "2" && m.text === "answer for chat two"),
          60_000,
        );
        const kept = await gw.store.db.query<{ state: string }>(
          "SELECT state FROM lane_outbox WHERE id = ?",
          [
            waiting.id,
          ],
        );
        assert.equal(kept[0]?.state, "pending", "the waiting reply survived the restart");
        // Two minutes pass (Telegram's retry_after), then it goes out.
        await gw.store.db.run("UPDATE lane_outbox SET next_attempt_at = 0 WHERE id = ?", [waiting.id]);
        await telegram.waitForSent((s) => s.some((m) => m.chat_id === "1"), 30_000);
        const texts = (chat: string) => telegram.sent.filter((m) => m.chat_id === chat).map((m) => m.text);
        assert.deepEqual(texts("1"), ["answer for chat one"]);
        assert.deepEqual(texts("2"), ["answer for chat two"]);
        const left = await gw.store.db.query("SELECT state FROM lane_inbox WHERE state != 'done'");
        assert.deepEqual(left, []);
      } finally {
        await again.close();
      }
    } finally {
      await telegram.close();
      await provider.close();
    }
  },
});
