/** @jsxImportSource preact */
/// <reference lib="dom" />
/**
 * Earlier transcripts of a session key (what `/new` and `/reset` left behind): listed on the session
 * page with their dates and message counts (`sessions.transcripts`), each opened read-only
 * (`sessions.transcript`). A non-admin token sees only transcripts its own runs wrote.
 */
import { type HistoryEntry, itemsFromHistory } from "../lib/chat_model.ts";
import { fmtInt, fmtTime } from "../lib/format.ts";
import { ErrorLine, Link, Page, type PageProps, Unavailable } from "../ui/common.tsx";
import { useRequest } from "../ui/hooks.ts";
import { Message } from "../ui/message.tsx";

interface Earlier {
  sessionId: string;
  endedAt: number;
  firstTs?: number;
  lastTs?: number;
  messages: number;
}

const hrefOf = (sessionKey: string, sessionId?: string) =>
  `/sessions?session=${encodeURIComponent(sessionKey)}${
    sessionId ? `&transcript=${encodeURIComponent(sessionId)}` : ""
  }`;

/** The list under a session's transcript; nothing when the gateway cannot say. */
export function EarlierTranscripts(
  { client, nav, sessionKey }: Omit<PageProps, "query"> & { sessionKey: string },
) {
  const list = useRequest<{ transcripts?: Earlier[] }>(
    client,
    "sessions.transcripts",
    { sessionKey },
    sessionKey,
  );
  if (list.unavailable) return null;
  const rows = list.data?.transcripts ?? [];
  return (
    <section aria-labelledby="earlier-h" id="earlier-transcripts">
      <h2 id="earlier-h">Earlier transcripts</h2>
      <ErrorLine error={list.error} code={list.errorCode} />
      {rows.length === 0 && !list.loading && (
        <p class="muted small">None: this session has not been reset with /new or /reset.</p>
      )}
      {rows.length > 0 && (
        <ul class="plain">
          {rows.map((t) => (
            <li key={t.sessionId} data-transcript={t.sessionId}>
              <Link href={hrefOf(sessionKey, t.sessionId)} nav={nav}>
                {t.firstTs ? `${fmtTime(t.firstTs)} – ${fmtTime(t.endedAt)}` : `ended ${fmtTime(t.endedAt)}`}
              </Link>{" "}
              <span class="muted small">
                · {fmtInt(t.messages)} message{t.messages === 1 ? "" : "s"}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** One earlier transcript, read-only. */
export function ArchivedTranscript(
  { client, nav, sessionKey, sessionId }: Omit<PageProps, "query"> & {
    sessionKey: string;
    sessionId: string;
  },
) {
  const got = useRequest<{ transcript?: Earlier; entries?: HistoryEntry[] }>(
    client,
    "sessions.transcript",
    { sessionId },
    sessionId,
  );
  const items = itemsFromHistory(got.data?.entries ?? []);
  const t = got.data?.transcript;
  return (
    <Page
      title="Earlier transcript"
      actions={<Link href={hrefOf(sessionKey)} nav={nav} class="button">Back to the session</Link>}
    >
      <p>
        <code id="session-key">{sessionKey}</code> <span class="badge muted" id="read-only">read-only</span>
      </p>
      {t && (
        <p class="muted small" id="transcript-span">
          {t.firstTs ? `${fmtTime(t.firstTs)} – ` : ""}
          {fmtTime(t.endedAt)} · {fmtInt(t.messages)} message{t.messages === 1 ? "" : "s"}
        </p>
      )}
      {got.unavailable ? <Unavailable method="sessions.transcript" what="Earlier transcripts" /> : (
        <>
          <ErrorLine error={got.error} code={got.errorCode} />
          <div class="chat-log transcript-log" id="transcript">
            {items.map((it) => <Message key={it.key} item={it} nav={nav} />)}
            {items.length === 0 && !got.loading && !got.error && <p class="muted">Empty transcript.</p>}
          </div>
        </>
      )}
    </Page>
  );
}
