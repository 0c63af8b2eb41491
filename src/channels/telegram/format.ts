/**
 * Markdown (as models write it) → Telegram HTML: bold, italic, strikethrough, inline code, fenced code
 * blocks, links and headings; everything else escaped. Telegram rejects malformed markup with
 * 400 "can't parse entities"; the sender then falls back to plain text (see `isParseEntitiesError`).
 */

/** Escapes the three characters Telegram's HTML mode reserves. */
export function escapeHtml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

/** Converts Markdown to Telegram HTML. */
export function markdownToTelegramHtml(markdown: string): string {
  const out: string[] = [];
  const lines = markdown.split("\n");
  let code: { lang: string; lines: string[]; marker: string } | undefined;
  let prose: string[] = [];
  const flushProse = () => {
    if (prose.length) out.push(formatInline(prose.join("\n")));
    prose = [];
  };
  for (const line of lines) {
    const fence = /^\s*(`{3,}|~{3,})\s*([\w+#.-]*)\s*$/.exec(line);
    if (code) {
      if (fence && fence[1]![0] === code.marker[0] && !fence[2]) {
        out.push(preBlock(code.lang, code.lines));
        code = undefined;
      } else code.lines.push(line);
      continue;
    }
    if (fence) {
      flushProse();
      code = { lang: fence[2] ?? "", lines: [], marker: fence[1]! };
      continue;
    }
    prose.push(line);
  }
  flushProse();
  if (code) out.push(preBlock(code.lang, code.lines)); // an unclosed block still renders as code
  return out.join("\n");
}

function preBlock(lang: string, lines: string[]): string {
  const body = escapeHtml(lines.join("\n"));
  return lang ? `<pre><code class="language-${escapeHtml(lang)}">${body}</code></pre>` : `<pre>${body}</pre>`;
}

/** Inline Markdown of one prose run. Code spans and link targets are protected by placeholders. */
function formatInline(text: string): string {
  const saved: string[] = [];
  const hold = (html: string) => `\u0000${saved.push(html) - 1}\u0000`;
  let s = text.replace(/`([^`\n]+)`/g, (_, c: string) => hold(`<code>${escapeHtml(c)}</code>`));
  s = s.replace(
    /\[([^\]\n]+)\]\((https?:\/\/[^\s)]+)\)/g,
    (_, label: string, url: string) =>
      hold(`<a href="${escapeHtml(url).replaceAll('"', "&quot;")}">`) + label + hold("</a>"),
  );
  s = escapeHtml(s);
  s = s.replace(/^#{1,6}\s+(.+)$/gm, "<b>$1</b>");
  s = s.replace(/\*\*(?=\S)([^\n]*?\S)\*\*/g, "<b>$1</b>");
  s = s.replace(/(^|[^\w])__(?=\S)([^\n]*?\S)__(?!\w)/g, "$1<b>$2</b>");
  s = s.replace(/~~(?=\S)([^\n]*?\S)~~/g, "<s>$1</s>");
  s = s.replace(/(^|[^*\w])\*(?=[^\s*])([^*\n]*?[^\s*])\*(?![*\w])/g, "$1<i>$2</i>");
  s = s.replace(/(^|[^_\w])_(?=[^\s_])([^_\n]*?[^\s_])_(?![_\w])/g, "$1<i>$2</i>");
  // deno-lint-ignore no-control-regex -- NUL-delimited placeholders never occur in Markdown
  return s.replace(/\u0000(\d+)\u0000/g, (_, i: string) => saved[Number(i)] ?? "");
}

/** True for Telegram's "Bad Request: can't parse entities" answer to malformed markup. */
export function isParseEntitiesError(description: string | undefined): boolean {
  return !!description &&
    /can't parse entities|can't find end of the entity|unsupported start tag/i.test(description);
}
