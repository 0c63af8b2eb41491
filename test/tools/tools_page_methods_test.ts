/**
 * `tools.effective` and `approvals.patterns*` against a real gateway: the effective tools follow the
 * principal exactly as the registry's policy does; patterns added at run time pass matching exec calls
 * (never with the network); a read or write credential may look but not change patterns.
 */
import assert from "node:assert/strict";
import { connectGateway } from "../../src/gateway/client.ts";
import { createApprovalRepo } from "../../src/tools/approval_repo.ts";
import { createApprovals } from "../../src/tools/approvals.ts";
import { resolveProgram } from "../../src/security/program_path.ts";
import { toolsSchema } from "../../src/config/sections/tools.ts";
import { startTestGateway } from "../helpers/gateway.ts";

interface Effective {
  profile: string;
  deny: string[];
  tools: { name: string; group: string; allowed: boolean; reason?: string }[];
  bound: { described: string };
  agents: string[];
}

const allowedNames = (e: Effective) => e.tools.filter((t) => t.allowed).map((t) => t.name).sort();

Deno.test({
  name: "tools.effective per principal; approval patterns add, match, remove; non-admin refused",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    await using gw = await startTestGateway({
      agents: {
        defaults: { model: { primary: "echo/echo" } },
        list: [{ id: "main" }, { id: "helper", tools: { profile: "coding", deny: ["exec"] } }],
      },
      tools: { byPrincipal: { hook: { allow: ["web_fetch"] } }, exec: { approvals: ["npm test **"] } },
      sandbox: { outerBound: { read: ["/tmp"], net: ["api.example.com"] } },
    });
    const admin = await gw.connect();
    try {
      await t.step("the effective tools follow the principal, as the registry's policy decides", async () => {
        const owner = await admin.request<Effective>("tools.effective", { principal: "owner" });
        assert.deepEqual(owner.agents, ["main", "helper"]);
        assert.equal(owner.profile, "coding");
        const ownerTools = allowedNames(owner);
        for (const name of ["exec", "read", "write", "web_fetch"]) assert.ok(ownerTools.includes(name), name);
        const group = await admin.request<Effective>("tools.effective", { principal: "group" });
        assert.equal(group.profile, "minimal");
        assert.ok(!allowedNames(group).includes("exec"));
        assert.match(group.tools.find((x) => x.name === "exec")!.reason!, /not available to group runs/);
        const cron = await admin.request<Effective>("tools.effective", { principal: "cron" });
        assert.match(cron.tools.find((x) => x.name === "cron")!.reason!, /owner only/);
        const hook = await admin.request<Effective>("tools.effective", { principal: "hook" });
        assert.ok(allowedNames(hook).includes("web_fetch"), "tools.byPrincipal.hook widens");
        const user = await admin.request<Effective>("tools.effective", { principal: "user" });
        assert.equal(user.profile, "messaging");
        assert.ok(allowedNames(user).includes("read"));
        const helper = await admin.request<Effective>("tools.effective", {
          agentId: "helper",
          principal: "owner",
        });
        assert.match(helper.tools.find((x) => x.name === "exec")!.reason!, /denied by tools\.deny/);
        assert.match(owner.bound.described, /--allow-read=\/tmp/);
        assert.match(owner.bound.described, /--allow-net=api\.example\.com/);
        await assert.rejects(admin.request("tools.effective", { principal: "root" }), /INVALID|Invalid/);
        await assert.rejects(
          admin.request("tools.effective", { agentId: "ghost", principal: "owner" }),
          /Unknown agent/,
        );
      });

      await t.step("a pattern added at run time passes matching exec calls, never the network", async () => {
        await assert.rejects(
          admin.request("approvals.patterns.add", { pattern: "* --version" }),
          /first word\) must not contain \*/,
        );
        await assert.rejects(
          admin.request("approvals.patterns.add", { pattern: "bin/git status" }),
          /bare name .* or an absolute path/,
        );
        const added = await admin.request<{ pattern: string; added: boolean }>("approvals.patterns.add", {
          pattern: "  git   log --oneline * ",
        });
        assert.deepEqual(added, { pattern: "git log --oneline *", added: true });
        const again = await admin.request<{ added: boolean }>("approvals.patterns.add", {
          pattern: "git log --oneline *",
        });
        assert.equal(again.added, false);
        const list = await admin.request<{ patterns: { pattern: string; createdBy?: string }[] }>(
          "approvals.patterns",
          {},
        );
        assert.deepEqual(list.patterns.map((p) => p.pattern), ["git log --oneline *"]);
        assert.match(list.patterns[0]!.createdBy ?? "", /^credential:/);

        const git = resolveProgram("git", { path: Deno.env.get("PATH"), cwd: "/" });
        if (git) {
          const approvals = createApprovals({
            // ask "off": what the allow-lists do not pass is refused at once instead of asking.
            config: toolsSchema.parse({ exec: { ask: "off" } }),
            repo: createApprovalRepo(gw.store.db),
            bus: gw.bus,
            programPath: Deno.env.get("PATH"),
          });
          const q = {
            runId: "run_t",
            sessionKey: "s",
            tool: "exec",
            argv: [git, "log", "--oneline", "main"],
            cwd: "/tmp",
          };
          assert.equal((await approvals.authorize(q)).via, "allowlist");
          await assert.rejects(approvals.authorize({ ...q, argv: [git, "log", "--stat", "main"] }), /Denied/);
          await assert.rejects(
            approvals.authorize({ ...q, network: true }),
            /may not use the network/,
            "the network is never granted by a pattern",
          );
        }
      });

      await t.step("read and write credentials see the patterns but cannot change them", async () => {
        for (const scope of ["read", "write"] as const) {
          const token = scope[0]!.repeat(40);
          await gw.store.credentials.put({ name: `tp-${scope}`, kind: "operator", scopes: [scope], token });
          await gw.auth.reload();
          const c = await connectGateway({ url: gw.wsUrl, token, timeoutMs: 30_000 });
          try {
            assert.equal(
              (await c.request<{ patterns: unknown[] }>("approvals.patterns", {})).patterns.length,
              1,
            );
            await c.request("tools.effective", { principal: "api" });
            await assert.rejects(
              c.request("approvals.patterns.add", { pattern: "rm **" }),
              /FORBIDDEN|admin scope/,
            );
            await assert.rejects(
              c.request("approvals.patterns.remove", { pattern: "git log --oneline *" }),
              /FORBIDDEN|admin scope/,
            );
          } finally {
            await c.close();
          }
        }
      });

      await t.step("remove: an added pattern goes; a missing one is NOT_FOUND", async () => {
        await admin.request("approvals.patterns.remove", { pattern: "git log --oneline *" });
        const list = await admin.request<{ patterns: unknown[] }>("approvals.patterns", {});
        assert.deepEqual(list.patterns, []);
        await assert.rejects(
          admin.request("approvals.patterns.remove", { pattern: "git log --oneline *" }),
          /No such pattern/,
        );
        await assert.rejects(
          admin.request("approvals.patterns.remove", { pattern: "npm test **" }),
          /comes from tools\.exec\.approvals in the config/,
        );
        // An allow-always entry (as approval.resolve allow-always stores it) is removed by its argv.
        await createApprovalRepo(gw.store.db).addToAllowlist(["/usr/bin/true", "x"], "test");
        const before = await admin.request<{ allowAlways: { argv: string[] }[] }>("approvals.patterns", {});
        assert.deepEqual(before.allowAlways.map((a) => a.argv), [["/usr/bin/true", "x"]]);
        await admin.request("approvals.patterns.remove", { argv: ["/usr/bin/true", "x"] });
        const after = await admin.request<{ allowAlways: unknown[] }>("approvals.patterns", {});
        assert.deepEqual(after.allowAlways, []);
        const audit = await gw.store.audit.list({ kind: "approval.pattern" });
        assert.deepEqual(audit.map((a) => a.outcome).sort(), ["added", "removed", "removed"]);
      });
    } finally {
      await admin.close();
    }
  },
});
