/** @jsxImportSource preact */
/** One chat item (user, assistant with its tool cards, notice), shared by Chat and the session transcript. */
import type { ChatItem } from "../lib/chat_model.ts";
import { fmtDuration, preview } from "../lib/format.ts";
import { Badge, Link, RunLink } from "./common.tsx";

export interface MessageProps {
  item: ChatItem;
  nav(path: string): void;
  /** Id of an exec approval this item's run waits for, if any. */
  waitingApproval?: string;
}

export function Message({ item, nav, waitingApproval }: MessageProps) {
  return (
    <div class={`msg ${item.role}`} data-run={item.runId ?? ""} data-state={item.state ?? ""}>
      {item.tools.map((t) => (
        <details key={t.id} class={`tool ${t.status}`} data-tool={t.name}>
          <summary>
            <span class="tool-name">{t.name}</span>
            <Badge tone={t.status === "ok" ? "ok" : t.status === "error" ? "err" : "warn"}>{t.status}</Badge>
            {t.ms !== undefined && <span class="muted">{fmtDuration(t.ms)}</span>}
            <code class="args">{preview(t.args, 120).replace(/\s+/g, " ")}</code>
          </summary>
          <pre class="args-full">{preview(t.args, 4000)}</pre>
          {t.output !== undefined && <pre class="output">{preview(t.output, 1200)}</pre>}
        </details>
      ))}
      {waitingApproval && (
        <div class="waiting" role="status" data-approval={waitingApproval}>
          Waiting for approval —{" "}
          <Link href="/approvals" nav={nav} class="approval-link">review it in Approvals</Link>
        </div>
      )}
      {(item.text || item.role !== "assistant") && <div class="bubble">{item.text}</div>}
      {item.role === "assistant" && item.state === "streaming" && !item.text && (
        <div class="bubble muted">…</div>
      )}
      {item.error && <div class="error">{item.error}</div>}
      {item.runId && (
        <div class="meta">
          {item.state && item.state !== "final" && (
            <Badge tone={item.state === "streaming" ? "warn" : "err"}>{item.state}</Badge>
          )}
          <RunLink runId={item.runId} nav={nav} label="timeline" />
        </div>
      )}
    </div>
  );
}
