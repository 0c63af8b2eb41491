/**
 * Control UI Cron and Tools pages in Chromium against the real gateway (issue 16, items 13 and 14): a cron
 * job added through the form (the gateway's validation error shown in it first), run now, its history
 * linking to the run timeline, turned off; the effective tools changing with the principal, the outer
 * bound, approval patterns added and removed, skills with their state; a read-only connection sees no
 * admin controls; no accessibility violations in either theme.
 */
import assert from "node:assert/strict";
import type { Page } from "puppeteer-core";
import { checkA11y } from "./a11y.ts";
import { textOf, until } from "./browser.ts";
import { stdioServer } from "../mcp/mcp_fixture.ts";
import { chromium, go, withUi } from "./ui_harness.ts";

/** Sets an input's value as typing would (one input event), replacing what was there. */
async function fill(page: Page, selector: string, value: string) {
  await page.waitForSelector(selector);
  await page.$eval(selector, (el, v) => {
    (el as unknown as { value: string }).value = v as string;
    el.dispatchEvent(new Event("input", { bubbles: true }));
  }, value);
}

const allowed = (page: Page, tool: string) =>
  page.$eval(`#tools-table tr[data-tool="${tool}"]`, (tr) => tr.getAttribute("data-allowed"));

Deno.test({
  name: "control UI cron and tools pages: form, run now, history; effective tools per principal, patterns",
  ignore: !chromium,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    await withUi({
      agents: { defaults: { model: { primary: "echo/echo" } }, list: [{ id: "main" }, { id: "helper" }] },
      sandbox: { outerBound: { read: ["/tmp"], net: ["api.example.com"] } },
      mcp: { servers: { fx: stdioServer() } },
    }, async ({ gw, page, withPage, shoot, consoleErrors }) => {
      await Deno.mkdir(`${gw.home}/skills/needs`, { recursive: true });
      await Deno.writeTextFile(
        `${gw.home}/skills/needs/SKILL.md`,
        '---\nname: needs\ndescription: d\nmetadata: {"openclaw":{"requires":{"bins":["nope-xyz"]}}}\n---\n',
      );
      let jobId = "";

      await t.step(
        "13: add a job through the form; the gateway's validation error is shown in it",
        async () => {
          await go(page, "/cron");
          await page.waitForSelector("#cron-table");
          await page.click("#cron-new");
          await fill(page, "#cron-name", "morning digest");
          await page.select("#cron-kind", "cron");
          await until(
            page,
            `document.querySelector("label[for=cron-schedule]")?.textContent === "Cron expression"`,
          );
          await fill(page, "#cron-schedule", "99 * * * *");
          await page.select("#cron-agentId", "helper");
          await fill(page, "#cron-message", "summarise the night");
          await page.click("#cron-save");
          await page.waitForSelector("#cron-form-error");
          assert.match(
            await textOf(page, "#cron-form-error"),
            /schedule\.expr: invalid 5-field cron expression/,
          );
          assert.equal(await page.$eval("#cron-schedule", (e) => e.getAttribute("aria-invalid")), "true");
          await shoot(page, "cron-form-error");
          await page.select("#cron-kind", "every");
          await until(
            page,
            `document.querySelector("label[for=cron-schedule]")?.textContent === "Every (minutes)"`,
          );
          await fill(page, "#cron-schedule", "90");
          await page.click("#cron-save");
          await until(page, `!document.querySelector("#cron-form")`);
          const jobs = await gw.store.db.query<{ id: string; name: string }>(
            "SELECT id, name FROM cron_jobs",
          );
          assert.deepEqual(jobs.map((j) => j.name), ["morning digest"]);
          jobId = jobs[0]!.id;
          await page.waitForSelector(`#cron-table tr[data-job="${jobId}"]`);
          const cells = await page.$eval(
            `#cron-table tr[data-job="${jobId}"]`,
            (tr) => [...tr.children].map((td) => td.textContent ?? ""),
          );
          assert.equal(cells[1], "every 90m");
          assert.equal(cells[2], "helper");
          assert.notEqual(cells[3], "—", "next run shown");
          assert.match(cells[5]!, /never ran/);
        },
      );

      await t.step("13: run now; the history shows the run and links to its timeline", async () => {
        await page.click(`#cron-table tr[data-job="${jobId}"] button.run-now`);
        await page.waitForSelector("#cron-note");
        const runId = /(run_\w+)/.exec(await textOf(page, "#cron-note"))?.[1];
        assert.ok(runId, "the note names the run");
        await page.waitForSelector(`#cron-history tr[data-run="${runId}"]`, { timeout: 20_000 });
        await until(
          page,
          `document.querySelector('#cron-history tr[data-run="${runId}"] .status')?.textContent === "ok"`,
          60_000,
        );
        assert.match(await textOf(page, `#cron-history tr[data-run="${runId}"]`), /summarise the night/);
        await until(
          page,
          `document.querySelector('#cron-table tr[data-job="${jobId}"] .status')?.textContent?.startsWith("ok")`,
        );
        await shoot(page, "cron-history");
        await page.click(`#cron-history tr[data-run="${runId}"] a.runlink`);
        await until(page, `location.search === "?run=${runId}"`);
        await page.waitForSelector(".timeline");
      });

      await t.step("13: disable and edit", async () => {
        await go(page, "/cron");
        await page.waitForSelector(`#cron-table tr[data-job="${jobId}"] button.toggle`);
        await page.click(`#cron-table tr[data-job="${jobId}"] button.toggle`);
        await until(
          page,
          `document.querySelector('#cron-table tr[data-job="${jobId}"] .next')?.textContent === "—"`,
        );
        assert.equal(await textOf(page, `#cron-table tr[data-job="${jobId}"] button.toggle`), "Enable");
        await page.click(`#cron-table tr[data-job="${jobId}"] button.edit`);
        await page.waitForSelector("#cron-form #cron-schedule");
        assert.equal(
          await page.$eval("#cron-schedule", (e) => (e as unknown as { value: string }).value),
          "90",
        );
        await fill(page, "#cron-name", "evening digest");
        await page.click("#cron-save");
        await until(page, `!document.querySelector("#cron-form")`);
        const [row] = await gw.store.db.query<{ name: string; enabled: number }>("SELECT * FROM cron_jobs");
        assert.deepEqual([row?.name, Number(row?.enabled)], ["evening digest", 0]);
      });

      await t.step(
        "14: the effective tools change with the principal; the outer bound is shown",
        async () => {
          await go(page, "/tools");
          await page.waitForSelector('#tools-table tr[data-tool="exec"]');
          assert.equal(await allowed(page, "exec"), "true");
          assert.equal(await textOf(page, "#tools-profile"), "coding");
          assert.match(await textOf(page, "#tools-bound"), /--allow-read=\/tmp/);
          await page.select("#tools-principal", "group");
          await until(
            page,
            `document.querySelector('#tools-table tr[data-tool="exec"]')?.dataset.allowed === "false"`,
          );
          assert.equal(await textOf(page, "#tools-profile"), "minimal");
          assert.match(
            await textOf(page, '#tools-table tr[data-tool="exec"]'),
            /not available to group runs/,
          );
          assert.equal(await page.evaluate("location.search"), "?agent=main&principal=group");
          await shoot(page, "tools-group");
          await page.select("#tools-principal", "user");
          await until(
            page,
            `document.querySelector('#tools-table tr[data-tool="read"]')?.dataset.allowed === "true"`,
          );
          assert.equal(await allowed(page, "write"), "false");
        },
      );

      await t.step("14: skills and MCP servers with their state", async () => {
        await page.waitForSelector('#skills-table tr[data-skill="needs"]');
        assert.match(await textOf(page, '#skills-table tr[data-skill="needs"]'), /unavailable.*nope-xyz/);
        // The Tools page is on principal "user" here: MCP tools are not theirs.
        assert.match(
          await textOf(page, '#mcp-table tr[data-mcp="fx"]'),
          /^fxstdio(idle|starting|ready).*not available to user runs/,
        );
        await page.select("#tools-principal", "owner");
        await until(
          page,
          `document.querySelector('#mcp-table tr[data-mcp="fx"] td:last-child')?.textContent === "allowed"`,
        );
      });

      await t.step("14: add and remove an approval pattern", async () => {
        await fill(page, "#pattern-input", "git log --oneline *");
        await page.click("#pattern-add");
        await page.waitForSelector('#patterns-table tr[data-pattern="git log --oneline *"] button.remove');
        const stored = await gw.store.db.query<{ pattern: string }>(
          "SELECT pattern FROM tool_approval_patterns",
        );
        assert.deepEqual(stored.map((r) => r.pattern), ["git log --oneline *"]);
        await fill(page, "#pattern-input", "* --version");
        await page.click("#pattern-add");
        await until(
          page,
          `/must not contain \\*/.test(document.querySelector("section [role=alert]")?.textContent ?? "")`,
        );
        await page.click('#patterns-table tr[data-pattern="git log --oneline *"] button.remove');
        await until(
          page,
          `!document.querySelector('#patterns-table tr[data-pattern="git log --oneline *"]')`,
        );
        assert.deepEqual(await gw.store.db.query("SELECT pattern FROM tool_approval_patterns"), []);
      });

      await t.step(
        "13/14: a read-only connection sees jobs, tools and patterns but no admin controls",
        async () => {
          const token = "r".repeat(40);
          await gw.store.credentials.put({ name: "ui-reader", kind: "operator", scopes: ["read"], token });
          await gw.auth.reload();
          await withPage({ token, path: "/cron" }, async (p) => {
            await p.waitForSelector(`#cron-table tr[data-job="${jobId}"]`);
            assert.equal(await p.$("#cron-new"), null);
            assert.equal(await p.$(`#cron-table tr[data-job="${jobId}"] button`), null);
            await go(p, "/tools");
            await p.waitForSelector('#tools-table tr[data-tool="exec"]');
            assert.equal(await p.$("#pattern-form"), null);
          });
        },
      );

      await t.step("16: the cron and tools pages pass the accessibility check, light and dark", async () => {
        const found: string[] = [];
        for (const scheme of ["light", "dark"] as const) {
          await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: scheme }]);
          for (const path of [`/cron?job=${jobId}`, "/tools?agent=main&principal=group"]) {
            await go(page, path);
            await page.waitForSelector(
              path.startsWith("/cron") ? "#cron-history tbody tr" : "#tools-table tbody tr",
            );
            if (path.startsWith("/cron")) {
              await page.click("#cron-new");
              await (await page.waitForSelector("#cron-save"))!.click();
              await page.waitForSelector("#cron-form-error");
            }
            for (const v of await checkA11y(page)) {
              found.push(`${scheme} ${path}: ${v.rule} ${v.target} ${v.detail}`);
            }
          }
        }
        assert.deepEqual(found, []);
      });

      await t.step("no console errors", () => assert.deepEqual(consoleErrors, []));
    });
  },
});
