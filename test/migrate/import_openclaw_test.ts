import assert from "node:assert/strict";
import { buildOpenClawImportPlan, CRON_FILE, PAIRINGS_FILE } from "../../src/migrate/plan.ts";
import { applyImportPlan } from "../../src/migrate/apply.ts";
import { ImportError } from "../../src/migrate/types.ts";
import { loadConfig } from "../../src/config/load.ts";

const FIXTURES = new URL("../fixtures/openclaw/", import.meta.url).pathname.replace(/\/$/, "");
const ENV_FOR_LOAD = {
  TELEGRAM_BOT_TOKEN: "111:tg",
  DISCORD_BOT_TOKEN: "dc",
  LITELLM_KEY: "lk",
  ANTHROPIC_KEY: "ak",
  OPENAI_API_KEY: "ok",
  OPENCLAW_GATEWAY_TOKEN: "a-gateway-token-of-32-characters",
  OPENCLAW_HOOKS_TOKEN: "a-hooks-token-of-24-chars",
};

async function withHome(fn: (home: string) => Promise<void>) {
  const home = await Deno.makeTempDir({ prefix: "talon-import-" });
  try {
    await fn(home);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
}

function plan(name: string, home: string, env: Record<string, string> = {}) {
  return buildOpenClawImportPlan({ from: `${FIXTURES}/${name}`, home, env, now: () => Date.UTC(2026, 0, 5) });
}

Deno.test("full fixture: providers, fallbacks, aliases and prices map onto Talon providers", async () => {
  await withHome(async (home) => {
    const p = await plan("full", home);
    const providers = p.config.providers as Record<string, Record<string, unknown>>;
    assert.deepEqual(providers["custom-proxy"], {
      api: "openai-chat",
      baseUrl: "http://localhost:4000/v1",
      apiKey: "${LITELLM_KEY}",
    });
    // A SecretRef {source:"env", id} becomes a ${VAR} reference.
    assert.equal(providers.anthropic!.apiKey, "${ANTHROPIC_KEY}");
    assert.equal(providers.anthropic!.api, "anthropic");
    // Built-in OpenClaw provider used by a fallback gets a Talon provider with the standard env var.
    assert.deepEqual(providers.openai, { api: "openai-chat", apiKey: "${OPENAI_API_KEY}" });
    assert.equal(providers.gemini, undefined);
    const agents = p.config.agents as {
      defaults: { model: unknown };
      list: Record<string, unknown>[];
      defaultAgent: string;
    };
    assert.deepEqual(agents.defaults.model, {
      primary: "anthropic/claude-opus-4-6",
      fallbacks: ["custom-proxy/llama-3.1-8b", "openai/gpt-5.4-mini"],
    });
    assert.deepEqual((p.config.models as Record<string, unknown>).prices, {
      "custom-proxy/llama-3.1-8b": { input: 0.1, output: 0.2 },
    });
    // OpenClaw's per-model `input` becomes Talon's models.<ref>.input (the vision flag).
    assert.deepEqual((p.config.models as Record<string, unknown>)["custom-proxy/llama-3.1-8b"], {
      input: ["text", "image"],
    });
    assert.ok(
      p.unmapped.some((u) => u.path === "models.providers.gemini" && /google-generative-ai/.test(u.reason)),
    );
    assert.ok(p.unmapped.some((u) => u.path === "agents.defaults.model.fallbacks[1]"));
  });
});

Deno.test("full fixture: agents, gateway, session, tools and hooks", async () => {
  await withHome(async (home) => {
    const p = await plan("full", home);
    const agents = p.config.agents as { list: Record<string, unknown>[]; defaultAgent: string };
    assert.deepEqual(agents.list.map((a) => a.id), ["main", "coder"]);
    assert.equal(agents.defaultAgent, "main");
    assert.deepEqual(agents.list[1]!.model, { primary: "custom-proxy/llama-3.1-8b", fallbacks: [] });
    assert.deepEqual(agents.list[1]!.tools, { profile: "coding", deny: ["browser"] });
    assert.deepEqual(p.config.gateway, {
      port: 18789,
      bind: "127.0.0.1",
      auth: { token: "${OPENCLAW_GATEWAY_TOKEN}" },
    });
    assert.deepEqual(p.config.hooks, { enabled: true, token: "${OPENCLAW_HOOKS_TOKEN}" });
    assert.equal((p.config.session as Record<string, unknown>).dmScope, "per-channel-peer");
    assert.deepEqual(p.config.tools, { profile: "coding", exec: { ask: "on-miss" } });
    assert.ok(p.unmapped.some((u) => u.path === "plugins"));
    assert.ok(p.unmapped.some((u) => u.path === "env.OPENROUTER_API_KEY"));
    // The env value itself is never copied into talon.json.
    assert.ok(!JSON.stringify(p.config).includes("sk-or-test"));
  });
});

Deno.test("full fixture: Telegram and Discord accounts, policies and allowlists", async () => {
  await withHome(async (home) => {
    const p = await plan("full", home);
    const ch = p.config.channels as Record<string, { accounts: Record<string, Record<string, unknown>> }>;
    const tg = ch.telegram!.accounts;
    assert.deepEqual(Object.keys(tg).sort(), ["default", "work"]);
    assert.equal(tg.default!.botToken, "${TELEGRAM_BOT_TOKEN}");
    assert.deepEqual(tg.default!.allowFrom, ["111222333"], "the tg: prefix is stripped");
    assert.deepEqual(tg.default!.groups, {
      "*": { requireMention: true, allowFrom: ["111222333"] },
      "-1001234567890": { requireMention: false, allowFrom: ["@admin"] },
    });
    assert.equal(tg.work!.dmPolicy, "allowlist");
    assert.deepEqual(tg.work!.allowFrom, ["999"]);
    assert.equal(tg.work!.botToken, "123456:plaintext-token-for-tests-only", "a literal stays a literal");
    assert.ok(
      p.warnings.some((w) => w.startsWith("channels.telegram.accounts.work.botToken: a plaintext secret")),
    );
    const dc = ch.discord!.accounts.default!;
    assert.equal(dc.botToken, "${DISCORD_BOT_TOKEN}");
    assert.equal(dc.dmPolicy, "pairing");
    assert.deepEqual(dc.allowFrom, ["444555666"]);
    assert.deepEqual(dc.guilds, {
      "123456789012345678": { requireMention: false, channels: ["general", "help"] },
    });
    // WhatsApp: a linked-device account (the phone must be linked again: OpenClaw's session is not reused).
    assert.deepEqual(ch.whatsapp!.accounts.default, {
      mode: "web",
      dmPolicy: "pairing",
      allowFrom: ["+15555550123"],
    });
    assert.ok(p.warnings.some((w) => /channels\.whatsapp: the linked phone is not carried over/.test(w)));
    // Inherited settings are reported once, at the channel level.
    assert.equal(p.unmapped.filter((u) => u.path.endsWith(".streaming")).length, 1);
  });
});

Deno.test("full fixture: a real run writes talon.json, workspaces and the import files", async () => {
  await withHome(async (home) => {
    const p = await plan("full", home);
    await applyImportPlan(p, { force: false });
    const loaded = await loadConfig({ env: { TALON_HOME: home, ...ENV_FOR_LOAD } });
    assert.equal(loaded.config.agents.list.length, 2);
    assert.equal(
      loaded.raw.gateway && (loaded.raw.gateway as { auth: { token: string } }).auth.token,
      "${OPENCLAW_GATEWAY_TOKEN}",
    );
    assert.equal((await Deno.stat(`${home}/talon.json`)).mode! & 0o777, 0o600);

    assert.equal(await Deno.readTextFile(`${home}/workspace/main/SOUL.md`), "# Soul\nCalm, direct, kind.\n");
    assert.equal(
      await Deno.readTextFile(`${home}/workspace/main/memory/2026-01-02.md`),
      "# 2026-01-02\n- Talked about the garden.\n",
    );
    assert.equal(
      await Deno.readTextFile(`${home}/workspace/coder/AGENTS.md`),
      "# Coder agents\nWrite tests first.\n",
    );
    await assert.rejects(Deno.stat(`${home}/workspace/main/TOOLS.md`), Deno.errors.NotFound);
    await assert.rejects(Deno.stat(`${home}/workspace/main/memory/scratch.txt`), Deno.errors.NotFound);

    const pairings = JSON.parse(await Deno.readTextFile(`${home}/${PAIRINGS_FILE}`));
    assert.equal(pairings.version, 1);
    assert.deepEqual(
      pairings.pairings.map((x: Record<string, string>) => `${x.channel}/${x.accountId}/${x.senderId}`),
      [
        "discord/default/444555666",
        "telegram/default/111222333",
        "telegram/default/777888999",
        "telegram/work/555666777",
        "whatsapp/default/+15555550123",
      ],
    );
    const cron = JSON.parse(await Deno.readTextFile(`${home}/${CRON_FILE}`));
    assert.deepEqual(cron.jobs.map((j: { id: string }) => j.id), ["morning-brief", "reminder", "hourly"]);
    assert.deepEqual(cron.jobs[0], {
      id: "morning-brief",
      name: "Morning brief",
      agentId: "main",
      enabled: true,
      schedule: { kind: "cron", expr: "0 7 * * *", tz: "America/Los_Angeles" },
      session: "isolated",
      message: "Summarize overnight updates.",
      deliver: { channel: "telegram", to: "111222333" },
    });
    assert.deepEqual(cron.jobs[1].schedule, { kind: "at", at: "2026-02-01T16:00:00.000Z" });
    assert.equal(cron.jobs[1].session, "main");
    assert.equal(cron.jobs[1].enabled, false);
    assert.equal(cron.jobs[2].agentId, "coder");
    assert.equal(cron.jobs[2].deliver, undefined);
  });
});

Deno.test("full fixture: what could not be mapped is reported with a reason", async () => {
  await withHome(async (home) => {
    const p = await plan("full", home);
    const paths = p.unmapped.map((u) => u.path);
    for (
      const expected of [
        "credentials/telegram-pairing.json",
        "cron/jobs.json[2].delivery",
        "cron/jobs.json[3]",
        "cron/jobs.json[4]",
        "channels.discord.guilds.123456789012345678.users",
        `${FIXTURES}/full/workspace/TOOLS.md`,
      ]
    ) assert.ok(paths.includes(expected), `missing ${expected} in ${paths.join(", ")}`);
    for (const u of p.unmapped) assert.ok(u.reason.length > 10, `no reason for ${u.path}`);
  });
});

Deno.test("a real run refuses to overwrite existing Talon files without --force, and overwrites with it", async () => {
  await withHome(async (home) => {
    await Deno.mkdir(`${home}/workspace/main`, { recursive: true });
    await Deno.writeTextFile(`${home}/workspace/main/SOUL.md`, "mine");
    await Deno.writeTextFile(`${home}/talon.json`, "{}\n");
    const p = await plan("full", home);
    await assert.rejects(applyImportPlan(p, { force: false }), (err: Error) => {
      assert.ok(err instanceof ImportError);
      assert.match(err.message, /2 file\(s\) already exist/);
      return true;
    });
    assert.equal(await Deno.readTextFile(`${home}/workspace/main/SOUL.md`), "mine");
    await assert.rejects(
      Deno.stat(`${home}/workspace/main/AGENTS.md`),
      Deno.errors.NotFound,
      "nothing written",
    );
    await applyImportPlan(p, { force: true });
    assert.equal(await Deno.readTextFile(`${home}/workspace/main/SOUL.md`), "# Soul\nCalm, direct, kind.\n");
    assert.equal(await Deno.readTextFile(`${home}/talon.json.bak`), "{}\n");
  });
});

Deno.test("partial fixture: env fallbacks, open policy and only the workspace files present", async () => {
  await withHome(async (home) => {
    const p = await plan("partial", home, { ANTHROPIC_API_KEY: "set" });
    const tg = (p.config.channels as Record<string, { accounts: Record<string, Record<string, unknown>> }>)
      .telegram!
      .accounts.default!;
    assert.equal(tg.botToken, "${TELEGRAM_BOT_TOKEN}");
    assert.equal(tg.dmPolicy, "open");
    assert.deepEqual(tg.allowFrom, ["*"]);
    assert.deepEqual(p.config.providers, { anthropic: { api: "anthropic", apiKey: "${ANTHROPIC_API_KEY}" } });
    assert.deepEqual(p.files.map((f) => f.path.slice(home.length)), [
      "/talon.json",
      "/workspace/main/AGENTS.md",
    ]);
    assert.deepEqual(p.summary, {
      providers: 1,
      agents: 1,
      channelAccounts: 1,
      pairings: 0,
      cronJobs: 0,
      workspaceFiles: 1,
    });
    assert.ok(
      p.warnings.includes(
        "set TELEGRAM_BOT_TOKEN in Talon's environment: talon.json refers to ${TELEGRAM_BOT_TOKEN}",
      ),
    );
    assert.ok(!p.warnings.some((w) => w.includes("set ANTHROPIC_API_KEY")), "a set variable is not flagged");
    await applyImportPlan(p, { force: false });
    await assert.rejects(Deno.stat(`${home}/${CRON_FILE}`), Deno.errors.NotFound);
  });
});

Deno.test("invalid fixture: the JSON5 error names the file, line and column", async () => {
  await withHome(async (home) => {
    await assert.rejects(plan("invalid", home), (err: Error) => {
      assert.ok(err instanceof ImportError);
      assert.match(err.message, /invalid\/openclaw\.json: line 4 column \d+: invalid character/);
      return true;
    });
  });
});

Deno.test("a missing state dir or config is an ImportError", async () => {
  await withHome(async (home) => {
    await assert.rejects(plan("does-not-exist", home), /no OpenClaw state directory/);
    await assert.rejects(
      buildOpenClawImportPlan({ from: home, home: `${home}/t`, env: {} }),
      /Cannot read OpenClaw config .*openclaw\.json/,
    );
  });
});
