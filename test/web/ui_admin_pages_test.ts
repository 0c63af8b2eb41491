/**
 * Control UI admin pages in Chromium against the real gateway (issue 16, items 12 and 15 in part): Agents
 * (model chain, tool profile, workspace; a prompt file edited with a diff before saving, admin only) and
 * Outbox (dead letters: retry, drop).
 */
import assert from "node:assert/strict";
import { connectGateway } from "../../src/gateway/client.ts";
import { createOutboxRepo } from "../../src/store/outbox.ts";
import { checkA11y } from "./a11y.ts";
import { textOf, until } from "./browser.ts";
import { chromium, go, withUi } from "./ui_harness.ts";

Deno.test({
  name: "control UI admin pages: agents with prompt files, outbox dead letters",
  ignore: !chromium,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    await withUi({
      agents: {
        defaults: { model: { primary: "echo/echo", fallbacks: ["echo/two"] } },
        list: [{ id: "main" }, {
          id: "helper",
          name: "Helper",
          tools: { profile: "minimal", deny: ["exec"] },
        }],
      },
    }, async ({ gw, page, withPage, shoot, consoleErrors }) => {
      await t.step("12: agents list: model chain, tool profile, workspace", async () => {
        await go(page, "/agents");
        await page.waitForSelector('#agents-table tr[data-agent="helper"]');
        const cells = await page.$eval(
          '#agents-table tr[data-agent="helper"]',
          (tr) => [...tr.children].map((td) => td.textContent ?? ""),
        );
        assert.equal(cells[0], "Helper (helper)");
        assert.equal(cells[1], "echo/echo → echo/two");
        assert.match(cells[2]!, /minimal.*−exec/);
        assert.equal(cells[3], `${gw.home}/workspace/helper`);
      });

      await t.step("12: edit AGENTS.md with a diff before save; the file is written", async () => {
        await go(page, "/agents?agent=helper");
        await page.waitForSelector("#agent-file");
        await page.click('button[data-file="SOUL.md"]');
        // The editor takes input once SOUL.md has loaded (typing earlier would be overwritten by the load).
        await page.waitForSelector('button[data-file="SOUL.md"][aria-selected="true"]');
        await page.waitForSelector("#agent-file[data-loaded]:not([disabled])");
        await page.click("#agent-file");
        await page.type("#agent-file", "Be brief.\nSay why.");
        await page.click("#agent-file-review");
        await page.waitForSelector("#agent-file-diff");
        assert.deepEqual(
          await page.$$eval("#agent-file-diff div", (d) => d.map((x) => x.textContent)),
          ["- ", "+ Be brief.", "+ Say why."],
        );
        await shoot(page, "agents-diff");
        await page.click("#agent-file-save");
        await page.waitForSelector("#agent-file-saved");
        assert.equal(await Deno.readTextFile(`${gw.home}/workspace/helper/SOUL.md`), "Be brief.\nSay why.");
        const audit = await gw.store.audit.list({ kind: "agent.file" });
        assert.equal(audit.length, 1);
      });

      await t.step("12: a non-admin connection reads but cannot change prompt files", async () => {
        const token = "r".repeat(40);
        await gw.store.credentials.put({ name: "ui-writer", kind: "operator", scopes: ["write"], token });
        await gw.auth.reload();
        await withPage({ token, path: "/agents?agent=helper" }, async (p) => {
          // The file list renders after the page's first requests; the editor shows SOUL.md once it has loaded.
          await p.waitForSelector('button[data-file="SOUL.md"]', { timeout: 10_000 });
          await p.click('button[data-file="SOUL.md"]');
          await p.waitForSelector('button[data-file="SOUL.md"][aria-selected="true"]', { timeout: 10_000 });
          await p.waitForSelector("#agent-file[data-loaded]", { timeout: 10_000 });
          await until(p, `document.querySelector("#agent-file")?.value === "Be brief.\\nSay why."`);
          assert.equal(await p.$eval("#agent-file", (e) => e.hasAttribute("readonly")), true);
          assert.equal(await p.$("#agent-file-review"), null);
        });
        const c = await connectGateway({ url: gw.wsUrl, token, timeoutMs: 5000 });
        try {
          await assert.rejects(
            c.request("agents.files.set", { agentId: "helper", file: "SOUL.md", content: "pwned" }),
            /scope|admin|FORBIDDEN/i,
          );
          await assert.rejects(
            c.request("agents.files.get", { agentId: "helper", file: "../talon.json" }),
            /Invalid|INVALID/,
          );
        } finally {
          await c.close();
        }
        assert.equal(await Deno.readTextFile(`${gw.home}/workspace/helper/SOUL.md`), "Be brief.\nSay why.");
      });

      await t.step("15: outbox dead letters: retry and drop", async () => {
        const repo = createOutboxRepo(gw.store.db);
        const target = { channel: "ghost", accountId: "default", to: "42" };
        const ids: number[] = [];
        for (const i of [0, 1]) {
          const { id } = await repo.enqueue({
            runId: `run_dead${i}`,
            chunkIndex: 0,
            target,
            payload: { text: `lost ${i}` },
          });
          ids.push(id);
        }
        // As the dispatcher does when a send fails for good: claimed (sending), then dead.
        await gw.store.db.run("UPDATE lane_outbox SET state = 'sending' WHERE id IN (?, ?)", ids);
        for (const id of ids) await repo.markFailed(id, "ghost channel is gone", undefined);
        assert.equal((await repo.get(ids[0]!))?.state, "dead");
        await go(page, "/outbox");
        await page.waitForSelector(`#outbox-table tr[data-outbox="${ids[0]}"]`);
        assert.match(
          await textOf(page, `#outbox-table tr[data-outbox="${ids[0]}"]`),
          /ghost channel is gone/,
        );
        await page.click(`#outbox-table tr[data-outbox="${ids[1]}"] button.drop`);
        await until(page, `!document.querySelector('#outbox-table tr[data-outbox="${ids[1]}"]')`);
        await page.click(`#outbox-table tr[data-outbox="${ids[0]}"] button.retry`);
        await until(page, `!document.querySelector('#outbox-table tr[data-outbox="${ids[0]}"]')`);
        assert.notEqual((await repo.get(ids[0]!))?.state, "dead");
        await shoot(page, "outbox");
      });

      await t.step("15: tokens: create with a scope (shown once), it works, list, revoke", async () => {
        await go(page, "/tokens");
        await page.waitForSelector('#tokens-table tr[data-token="gateway"]');
        assert.equal(await page.$('#tokens-table tr[data-token="gateway"] button.revoke'), null);
        await page.type("#token-name", "dashboard");
        await page.select("#token-scope", "read");
        await page.click("#token-create");
        await page.waitForSelector("#token-value");
        const token = await textOf(page, "#token-value");
        assert.match(token, /^[A-Za-z0-9_-]{32,}$/);
        const id = await page.waitForFunction(
          `[...document.querySelectorAll("#tokens-table tr[data-token]")]
            .find((tr) => tr.children[1]?.textContent === "dashboard")?.getAttribute("data-token") ?? null`,
          { timeout: 10_000, polling: 50 },
        ).then((h) => h.jsonValue()) as string;
        assert.equal(await textOf(page, `#tokens-table tr[data-token="${id}"] td:nth-child(4)`), "read");
        assert.ok(!(await page.content()).includes(`>${token}<`) || !!(await page.$("#token-created")));
        const c = await connectGateway({ url: gw.wsUrl, token, timeoutMs: 5000 });
        await c.request("status", {});
        await assert.rejects(
          c.request("tokens.list", {}),
          /scope|admin|FORBIDDEN/i,
          "read cannot list tokens",
        );
        await c.close();
        await page.evaluate(`globalThis.confirm = () => true`);
        await page.click(`#tokens-table tr[data-token="${id}"] button.revoke`);
        await until(page, `!document.querySelector('#tokens-table tr[data-token="${id}"]')`);
        await assert.rejects(
          connectGateway({ url: gw.wsUrl, token, timeoutMs: 5000 }),
          /refused|unauthori|token/i,
        );
        // Leaving the page forgets the shown token.
        await go(page, "/outbox");
        await go(page, "/tokens");
        await page.waitForSelector("#tokens-table");
        assert.equal(await page.$("#token-value"), null);
      });

      await t.step("16: the new pages pass the accessibility check, light and dark", async () => {
        const found: string[] = [];
        for (const scheme of ["light", "dark"] as const) {
          await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: scheme }]);
          for (const p of ["/agents?agent=helper", "/outbox", "/tokens"]) {
            await go(page, p);
            await page.waitForSelector("main .page-head h1");
            await new Promise((r) => setTimeout(r, 300));
            for (const v of await checkA11y(page)) {
              found.push(`${scheme} ${p}: ${v.rule} ${v.target} ${v.detail}`);
            }
          }
        }
        assert.deepEqual(found, []);
      });

      await t.step("no console errors", () => assert.deepEqual(consoleErrors, []));
    });
  },
});
