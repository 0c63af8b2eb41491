/** @jsxImportSource preact */
/// <reference lib="dom" />
/** Renders lib/markdown.ts trees as DOM nodes (never as HTML strings): untrusted text stays text. */
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { type Block, type Inline, parseMarkdown } from "../lib/markdown.ts";

/** A button that copies `text` to the clipboard and says so for a moment. */
export function CopyButton(props: { text: string; label?: string }) {
  const [done, setDone] = useState(false);
  return (
    <button
      type="button"
      class="ghost copy"
      aria-label={props.label ?? "Copy"}
      onClick={() => {
        const ok = () => {
          setDone(true);
          setTimeout(() => setDone(false), 1500);
        };
        navigator.clipboard?.writeText(props.text).then(ok, () => fallbackCopy(props.text) && ok());
      }}
    >
      {done ? "Copied" : "Copy"}
    </button>
  );
}

/** Copies through a hidden textarea where the Clipboard API is refused (plain http on a LAN address). */
function fallbackCopy(text: string): boolean {
  const ta = document.createElement("textarea");
  ta.value = text;
  ta.setAttribute("readonly", "");
  ta.style.position = "fixed";
  ta.style.opacity = "0";
  document.body.append(ta);
  ta.select();
  const ok = document.execCommand("copy");
  ta.remove();
  return ok;
}

function inline(nodes: Inline[]): ComponentChildren {
  return nodes.map((n) => {
    switch (n.t) {
      case "text":
        return n.v;
      case "code":
        return <code>{n.v}</code>;
      case "em":
        return <em>{inline(n.c)}</em>;
      case "strong":
        return <strong>{inline(n.c)}</strong>;
      case "del":
        return <del>{inline(n.c)}</del>;
      case "br":
        return <br />;
      case "link":
        return <a href={n.href} target="_blank" rel="noopener noreferrer">{inline(n.c)}</a>;
    }
  });
}

function block(b: Block): ComponentChildren {
  switch (b.t) {
    case "p":
      return <p>{inline(b.c)}</p>;
    case "h": {
      // Headings inside a message stay below the page's own h1/h2.
      const Tag = `h${Math.min(6, b.level + 2)}` as "h3";
      return <Tag>{inline(b.c)}</Tag>;
    }
    case "hr":
      return <hr />;
    case "code":
      return (
        <div class="codeblock">
          <div class="codebar">
            <span class="muted">{b.lang || "code"}</span>
            <CopyButton text={b.v} label="Copy code" />
          </div>
          <pre><code data-lang={b.lang || undefined}>{b.v}</code></pre>
        </div>
      );
    case "quote":
      return <blockquote>{b.c.map(block)}</blockquote>;
    case "list": {
      const items = b.items.map((it) => (
        <li>{it.length === 1 && it[0]!.t === "p" ? inline(it[0]!.c) : it.map(block)}</li>
      ));
      return b.ordered ? <ol start={b.start === 1 ? undefined : b.start}>{items}</ol> : <ul>{items}</ul>;
    }
    case "table":
      return (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                {b.head.map((c, i) => (
                  <th style={b.align[i] ? { textAlign: b.align[i] } : undefined}>{inline(c)}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {b.rows.map((r) => (
                <tr>
                  {r.map((c, i) => (
                    <td style={b.align[i] ? { textAlign: b.align[i] } : undefined}>{inline(c)}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      );
  }
}

/** Markdown text as DOM. */
export function Markdown(props: { text: string }) {
  return <div class="md">{parseMarkdown(props.text).map(block)}</div>;
}
