import assert from "node:assert/strict";
import { isGroupJid, jidOf, normaliseAllowFrom, toE164, userIdOf } from "../../src/channels/whatsapp/jid.ts";
import { markdownToWhatsApp } from "../../src/channels/whatsapp/format.ts";

Deno.test("whatsapp jid: numbers and JIDs normalise to E.164; junk is refused", () => {
  const cases: [string, string | undefined][] = [
    ["+1 (555) 000-1111", "+15550001111"],
    ["15550001111", "+15550001111"],
    ["whatsapp:+15550001111", "+15550001111"],
    ["15550001111@s.whatsapp.net", "+15550001111"],
    ["15550001111:12@s.whatsapp.net", "+15550001111"],
    ["15550001111@c.us", "+15550001111"],
    ["120363025246125486@g.us", undefined],
    ["99887766@lid", undefined],
    ["12345", undefined],
    ["call me maybe", undefined],
    ["+1234567890123456", undefined],
  ];
  for (const [input, want] of cases) assert.equal(toE164(input), want, input);
  assert.equal(userIdOf("99887766@lid", "15550001111@s.whatsapp.net"), "+15550001111");
  assert.equal(userIdOf("99887766:3@lid"), "lid:99887766");
  assert.equal(userIdOf(undefined), undefined);
  assert.equal(jidOf("+15550001111"), "15550001111@s.whatsapp.net");
  assert.equal(jidOf("120363025246125486@g.us"), "120363025246125486@g.us");
  assert.equal(jidOf("lid:99887766"), "99887766@lid");
  assert.throws(() => jidOf("../etc"), TypeError);
  assert.equal(isGroupJid("120363025246125486@g.us"), true);
  assert.equal(isGroupJid("15550001111@s.whatsapp.net"), false);
  assert.deepEqual(normaliseAllowFrom(["*", "1 555 000 1111", "lid:42", "nonsense"]), [
    "*",
    "+15550001111",
    "lid:42",
    "nonsense",
  ]);
});

Deno.test("whatsapp format: markdown becomes WhatsApp markup; code is untouched", () => {
  assert.equal(markdownToWhatsApp("**bold** and *it* and ~~gone~~"), "*bold* and _it_ and ~gone~");
  assert.equal(markdownToWhatsApp("## Title\n* one\n* two"), "*Title*\n• one\n• two");
  assert.equal(markdownToWhatsApp("see [docs](https://x.dev/a)"), "see docs (https://x.dev/a)");
  assert.equal(markdownToWhatsApp("```js\nconst a = **b**;\n```"), "```js\nconst a = **b**;\n```");
  assert.equal(markdownToWhatsApp("use `**x**` here"), "use `**x**` here");
  assert.equal(markdownToWhatsApp("2 * 3 * 4"), "2 * 3 * 4");
});
