import assert from "node:assert/strict";
import { isParseEntitiesError, markdownToTelegramHtml } from "../../src/channels/telegram/format.ts";

const CASES: Array<[string, string]> = [
  ["plain & <tags>", "plain &amp; &lt;tags&gt;"],
  ["**bold** and *it* and _it2_", "<b>bold</b> and <i>it</i> and <i>it2</i>"],
  ["~~gone~~ __strong__", "<s>gone</s> <b>strong</b>"],
  ["use `a<b` here", "use <code>a&lt;b</code> here"],
  ["see [docs](https://x.dev/a_b?c=1&d=2)", 'see <a href="https://x.dev/a_b?c=1&amp;d=2">docs</a>'],
  ["snake_case_name stays", "snake_case_name stays"],
  ["# Title\ntext", "<b>Title</b>\ntext"],
  ["2 * 3 * 4", "2 * 3 * 4"],
  [
    "```py\nif a < b:\n    print('**x**')\n```",
    "<pre><code class=\"language-py\">if a &lt; b:\n    print('**x**')</code></pre>",
  ],
  ["```\nraw\n```\nafter **b**", "<pre>raw</pre>\nafter <b>b</b>"],
];

for (const [md, html] of CASES) {
  Deno.test(`markdownToTelegramHtml: ${JSON.stringify(md).slice(0, 40)}`, () => {
    assert.equal(markdownToTelegramHtml(md), html);
  });
}

Deno.test("isParseEntitiesError matches Telegram's rejection only", () => {
  assert.equal(
    isParseEntitiesError("Bad Request: can't parse entities: Unexpected end tag at byte offset 3"),
    true,
  );
  assert.equal(isParseEntitiesError("Bad Request: chat not found"), false);
  assert.equal(isParseEntitiesError(undefined), false);
});
