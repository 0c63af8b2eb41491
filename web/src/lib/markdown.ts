/**
 * A small Markdown parser for assistant messages: paragraphs, headings, emphasis, lists, links, inline
 * code, fenced code blocks, tables, blockquotes and rules. It returns a tree, never HTML: the renderer
 * builds DOM nodes from it, so raw HTML in the text stays text. Links keep only http(s) and mailto
 * targets (`javascript:`, `data:` and the rest become plain text). Written here rather than taken from
 * npm because the libraries that sanitise (marked + DOMPurify, markdown-it) cost 40–100 KB of the UI's
 * 150 KB first-load budget; this is about 3 KB minified.
 */

export type Inline =
  | { t: "text"; v: string }
  | { t: "code"; v: string }
  | { t: "em" | "strong" | "del"; c: Inline[] }
  | { t: "link"; href: string; c: Inline[] }
  | { t: "br" };

export type Block =
  | { t: "p"; c: Inline[] }
  | { t: "h"; level: number; c: Inline[] }
  | { t: "code"; lang: string; v: string }
  | { t: "quote"; c: Block[] }
  | { t: "list"; ordered: boolean; start: number; items: Block[][] }
  | { t: "table"; head: Inline[][]; align: ("left" | "right" | "center" | "")[]; rows: Inline[][][] }
  | { t: "hr" };

/** The link target to keep, or undefined when it is not http(s), mailto or a relative/anchor link. */
export function safeHref(raw: string): string | undefined {
  const href = raw.trim();
  // Control characters and whitespace inside the scheme are how `java\tscript:` slips past checks.
  // deno-lint-ignore no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(href)) return undefined;
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(href)?.[1]?.toLowerCase();
  if (scheme === undefined) return /^(\/|#|\.\/)/.test(href) ? href : undefined;
  return scheme === "http" || scheme === "https" || scheme === "mailto" ? href : undefined;
}

const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([\w+.-]*)/;
const HEADING = /^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const HR = /^ {0,3}([-*_])(\s*\1){2,}\s*$/;
const BULLET = /^( {0,3})([-*+]|\d{1,9}[.)])\s+(.*)$/;
const QUOTE = /^ {0,3}>\s?(.*)$/;
const TABLE_SEP = /^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$/;

function splitRow(line: string): string[] {
  let s = line.trim();
  if (s.startsWith("|")) s = s.slice(1);
  if (s.endsWith("|") && !s.endsWith("\\|")) s = s.slice(0, -1);
  return s.split(/(?<!\\)\|/).map((c) => c.trim().replaceAll("\\|", "|"));
}

const startsBlock = (line: string) =>
  FENCE.test(line) || HEADING.test(line) || HR.test(line) || QUOTE.test(line) || BULLET.test(line);

/** Parses Markdown text into blocks. */
export function parseMarkdown(src: string, depth = 0): Block[] {
  const lines = src.replace(/\r\n?/g, "\n").split("\n");
  const out: Block[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (!line.trim()) {
      i++;
      continue;
    }
    const fence = FENCE.exec(line);
    if (fence) {
      const close = new RegExp(`^ {0,3}${fence[1]![0] === "`" ? "`" : "~"}{${fence[1]!.length},}\\s*$`);
      const body: string[] = [];
      i++;
      while (i < lines.length && !close.test(lines[i]!)) body.push(lines[i++]!);
      i++;
      out.push({ t: "code", lang: fence[2] ?? "", v: body.join("\n") });
      continue;
    }
    const h = HEADING.exec(line);
    if (h) {
      out.push({ t: "h", level: h[1]!.length, c: parseInline(h[2]!) });
      i++;
      continue;
    }
    if (HR.test(line)) {
      out.push({ t: "hr" });
      i++;
      continue;
    }
    if (QUOTE.test(line) && depth < 8) {
      const body: string[] = [];
      while (i < lines.length && lines[i]!.trim() && QUOTE.test(lines[i]!)) {
        body.push(QUOTE.exec(lines[i++]!)![1]!);
      }
      out.push({ t: "quote", c: parseMarkdown(body.join("\n"), depth + 1) });
      continue;
    }
    const b = BULLET.exec(line);
    if (b && depth < 8) {
      const ordered = /\d/.test(b[2]!);
      const items: string[][] = [];
      const indent = b[1]!.length;
      while (i < lines.length) {
        const cur = lines[i]!;
        const m = BULLET.exec(cur);
        if (m && m[1]!.length <= indent + 1 && /\d/.test(m[2]!) === ordered) {
          items.push([m[3]!]);
          i++;
        } else if (cur.trim() && /^\s{2,}/.test(cur) && items.length) {
          items.at(-1)!.push(cur.replace(/^\s{2,4}/, ""));
          i++;
        } else if (!cur.trim() && i + 1 < lines.length && /^\s{2,}\S/.test(lines[i + 1]!)) {
          items.at(-1)?.push("");
          i++;
        } else break;
      }
      out.push({
        t: "list",
        ordered,
        start: ordered ? parseInt(b[2]!, 10) : 1,
        items: items.map((it) => parseMarkdown(it.join("\n"), depth + 1)),
      });
      continue;
    }
    if (line.includes("|") && i + 1 < lines.length && TABLE_SEP.test(lines[i + 1]!)) {
      const head = splitRow(line);
      const align = splitRow(lines[i + 1]!).map((c) =>
        c.startsWith(":") && c.endsWith(":")
          ? "center"
          : c.endsWith(":")
          ? "right"
          : c.startsWith(":")
          ? "left"
          : ""
      ) as ("left" | "right" | "center" | "")[];
      i += 2;
      const rows: Inline[][][] = [];
      while (i < lines.length && lines[i]!.trim() && lines[i]!.includes("|")) {
        const cells = splitRow(lines[i++]!);
        rows.push(head.map((_, k) => parseInline(cells[k] ?? "")));
      }
      out.push({ t: "table", head: head.map(parseInline), align, rows });
      continue;
    }
    const para: string[] = [];
    while (i < lines.length && lines[i]!.trim() && (para.length === 0 || !startsBlock(lines[i]!))) {
      para.push(lines[i++]!);
    }
    out.push({ t: "p", c: parseInline(para.join("\n")) });
  }
  return out;
}

/** Parses inline Markdown: code spans, links, autolinks, strong, emphasis, strikethrough, hard breaks. */
export function parseInline(src: string, depth = 0): Inline[] {
  const out: Inline[] = [];
  let text = "";
  const flush = () => {
    if (text) out.push({ t: "text", v: text });
    text = "";
  };
  let i = 0;
  while (i < src.length) {
    const ch = src[i]!;
    const rest = src.slice(i);
    if (ch === "\\" && i + 1 < src.length && /[\\`*_{}[\]()#+\-.!|~<>]/.test(src[i + 1]!)) {
      text += src[i + 1];
      i += 2;
      continue;
    }
    if (ch === "`") {
      const ticks = /^`+/.exec(rest)![0];
      const end = src.indexOf(ticks, i + ticks.length);
      if (end > 0) {
        flush();
        out.push({ t: "code", v: src.slice(i + ticks.length, end).replace(/^ (.*) $/s, "$1") });
        i = end + ticks.length;
        continue;
      }
    }
    if (ch === "\n") {
      const hard = / {2,}$/.test(text) || text.endsWith("\\");
      text = text.replace(/ +$/, "");
      if (hard) {
        flush();
        out.push({ t: "br" });
      } else text += "\n";
      i++;
      continue;
    }
    if (depth < 6) {
      const link = ch === "["
        ? /^\[((?:[^\[\]\\]|\\.|\[[^\]]*\])*)\]\(\s*<?([^\s)>]*)>?(?:\s+"[^"]*")?\s*\)/.exec(rest)
        : null;
      if (link) {
        flush();
        const href = safeHref(link[2]!);
        const label = parseInline(link[1]!, depth + 1);
        if (href) out.push({ t: "link", href, c: label });
        else out.push(...label);
        i += link[0].length;
        continue;
      }
      const auto = /^<(https?:\/\/[^\s<>]+)>/.exec(rest) ??
        (/^https?:\/\/[^\s<>()]+[^\s<>().,;:!?'"*_]/.exec(rest));
      if (auto && (ch === "<" || !/\w$/.test(text))) {
        flush();
        const url = auto[1] ?? auto[0];
        out.push({ t: "link", href: url, c: [{ t: "text", v: url }] });
        i += auto[0].length;
        continue;
      }
      const em = /^(\*\*|__)(?=\S)([\s\S]*?\S)\1|^(~~)(?=\S)([\s\S]*?\S)~~|^([*_])(?=\S)([\s\S]*?\S)\5/.exec(
        rest,
      );
      const wordInside = ch === "_" && /\w$/.test(text);
      if (em && !wordInside) {
        flush();
        if (em[1]) out.push({ t: "strong", c: parseInline(em[2]!, depth + 1) });
        else if (em[3]) out.push({ t: "del", c: parseInline(em[4]!, depth + 1) });
        else out.push({ t: "em", c: parseInline(em[6]!, depth + 1) });
        i += em[0].length;
        continue;
      }
    }
    text += ch;
    i++;
  }
  flush();
  return out;
}
