import assert from "node:assert/strict";
import { mapWhatsApp } from "../../src/migrate/openclaw_whatsapp.ts";
import type { MapContext } from "../../src/migrate/openclaw_values.ts";
import { whatsappAccountSchema } from "../../src/config/sections/channels.ts";

Deno.test("openclaw import: channels.whatsapp accounts, groups, limits; the auth dir is not reused", () => {
  const ctx = { unmapped: [], warnings: [] } as unknown as MapContext;
  const accounts = mapWhatsApp({
    dmPolicy: "allowlist",
    allowFrom: ["whatsapp:+1 555 000 1111", "*"],
    groupAllowFrom: ["+15550002222"],
    textChunkLimit: 9000,
    accounts: {
      personal: {
        selfChatMode: true,
        sendReadReceipts: true,
        mediaMaxMb: 2,
        authDir: "~/.openclaw/credentials/whatsapp/personal",
        groups: {
          "120363025246125486@g.us": { requireMention: false },
          "*": { requireMention: true, allowFrom: ["15550003333"] },
        },
        chunkMode: "newline",
      },
      off: { enabled: false },
    },
  }, ctx);
  assert.deepEqual(Object.keys(accounts), ["personal"]);
  const p = accounts.personal!;
  assert.deepEqual(p, {
    mode: "web",
    dmPolicy: "allowlist",
    allowFrom: ["+15550001111", "*"],
    textChunkLimit: 4096,
    mediaMaxBytes: 2 * 1024 * 1024,
    sendReadReceipts: true,
    selfChat: true,
    groups: {
      "120363025246125486@g.us": { requireMention: false, allowFrom: ["+15550002222"] },
      "*": { requireMention: true, allowFrom: ["+15550003333"] },
    },
  });
  assert.ok(whatsappAccountSchema.safeParse(p).success, "the mapped account is a valid Talon account");
  const unmapped = (ctx as unknown as { unmapped: { path: string }[] }).unmapped.map((u) => u.path);
  assert.ok(unmapped.includes("channels.whatsapp.accounts.personal.authDir"));
  assert.ok(unmapped.includes("channels.whatsapp.accounts.personal.chunkMode"));
  assert.ok(unmapped.includes("channels.whatsapp.accounts.off"));
  assert.ok(
    (ctx as unknown as { warnings: string[] }).warnings.some((w) => w.includes("--account personal")),
  );
  assert.deepEqual(
    mapWhatsApp({ enabled: false }, { unmapped: [], warnings: [] } as unknown as MapContext),
    {},
  );
});
