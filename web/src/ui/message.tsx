/** @jsxImportSource preact */
/// <reference lib="dom" />
/**
 * One chat item (user, assistant with its text and tool steps in order, notice), shared by Chat and the
 * session transcript. Assistant text is Markdown; user text stays as typed.
 */
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { type ChatItem, itemParts, type ToolCard } from "../lib/chat_model.ts";
import { fmtDuration, fmtTime, preview } from "../lib/format.ts";
import { Badge, RunLink } from "./common.tsx";
import { CopyButton, Markdown } from "./markdown.tsx";

/** Tool output longer than this is cut until "show all". */
export const OUTPUT_PREVIEW = 1200;

export interface MessageProps {
  item: ChatItem;
  nav(path: string): void;
  /** The approval this item's run waits for, rendered in place (see ApprovalInline). */
  approval?: ComponentChildren;
  /** Sends a failed message again. */
  onRetry?(item: ChatItem): void;
}

function ToolStep({ t }: { t: ToolCard }) {
  const [all, setAll] = useState(false);
  const out = t.output ?? "";
  const long = out.length > OUTPUT_PREVIEW;
  return (
    <details class={`tool ${t.status}`} data-tool={t.name}>
      <summary>
        <span class="tool-name">{t.name}</span>
        <Badge tone={t.status === "ok" ? "ok" : t.status === "error" ? "err" : "warn"}>{t.status}</Badge>
        {t.ms !== undefined && <span class="muted">{fmtDuration(t.ms)}</span>}
        <code class="args">{preview(t.args, 120).replace(/\s+/g, " ")}</code>
      </summary>
      <pre class="args-full">{preview(t.args, 4000)}</pre>
      {t.output !== undefined && (
        <div class="output-wrap">
          <pre class="output">{all || !long ? out : out.slice(0, OUTPUT_PREVIEW) + "…"}</pre>
          <div class="output-actions">
            {long && (
              <button type="button" class="ghost show-all" onClick={() => setAll(!all)}>
                {all ? "Show less" : `Show all (${out.length.toLocaleString("en-US")} chars)`}
              </button>
            )}
            <CopyButton text={out} label="Copy output" />
          </div>
        </div>
      )}
    </details>
  );
}

export function Message({ item, nav, approval, onRetry }: MessageProps) {
  const assistant = item.role === "assistant";
  const parts = assistant ? itemParts(item) : [];
  return (
    <div
      class={`msg ${item.role}${item.local ? " local" : ""}`}
      data-run={item.runId ?? ""}
      data-state={item.state ?? ""}
      data-pending={item.pending ?? ""}
    >
      {assistant
        ? parts.map((p, i) =>
          p.kind === "tool"
            ? <ToolStep key={p.tool.id} t={p.tool} />
            : <div key={`t${i}`} class="bubble">{<Markdown text={p.text} />}</div>
        )
        : item.text && <div class="bubble">{item.text}</div>}
      {item.attachments?.length
        ? (
          <div class="files" aria-label="Attached images">
            {item.attachments.map((a) => (
              <img
                class="sent-image"
                src={`data:${a.mimeType};base64,${a.content}`}
                alt={a.name}
                title={a.name}
              />
            ))}
          </div>
        )
        : null}
      {approval}
      {assistant && item.state === "streaming" && !item.text && (
        <div class="bubble muted starting" aria-label="waiting for the reply">
          {item.tools.length ? "…" : "starting…"}
        </div>
      )}
      {item.error && <div class="error">{item.error}</div>}
      <div class="meta">
        {item.ts !== undefined && (
          <time class="muted" dateTime={new Date(item.ts).toISOString()}>{fmtTime(item.ts)}</time>
        )}
        {item.pending === "sending" && <Badge tone="warn">pending</Badge>}
        {item.pending === "failed" && (
          <>
            <Badge tone="err">not sent</Badge>
            <button type="button" class="ghost retry" onClick={() => onRetry?.(item)}>Retry</button>
          </>
        )}
        {item.local && (
          <span class="muted" title="Command replies are kept in this browser only">local note</span>
        )}
        {item.state && item.state !== "final" && (
          <Badge tone={item.state === "streaming" ? "warn" : "err"}>{item.state}</Badge>
        )}
        {item.runId && !item.local && <RunLink runId={item.runId} nav={nav} label="timeline" />}
      </div>
    </div>
  );
}
