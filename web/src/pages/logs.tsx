/** @jsxImportSource preact */
/// <reference lib="dom" />
/**
 * Logs: live tail with level filter and search; run ids open their timeline. The view follows new lines
 * while it is scrolled to the bottom ("jump to latest" otherwise); a line already shown is not added twice
 * (overlapping polls after a reconnect); the filtered lines can be downloaded.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { fmtTime, splitRunIds } from "../lib/format.ts";
import { ErrorLine, Page, type PageProps, RunLink, Unavailable } from "../ui/common.tsx";

interface Line {
  n: number;
  raw: string;
  ts?: string;
  level: string;
  msg: string;
  runId?: string;
  rest: string;
}
const LEVELS = ["debug", "info", "warn", "error"];
const MAX_LINES = 2000;

function parseLine(raw: string, n: number): Line {
  try {
    const o = JSON.parse(raw) as Record<string, unknown>;
    const { ts, level, msg, runId, ...rest } = o;
    const extras = Object.entries(rest).map(([k, v]) =>
      `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`
    ).join(" ");
    return {
      n,
      raw,
      ts: String(ts ?? ""),
      level: String(level ?? "info"),
      msg: String(msg ?? ""),
      runId: runId ? String(runId) : undefined,
      rest: extras,
    };
  } catch {
    return { n, raw, level: "info", msg: raw, rest: "" };
  }
}

export function Logs({ client, nav }: PageProps) {
  const [lines, setLines] = useState<Line[]>([]);
  const [level, setLevel] = useState("info");
  const [search, setSearch] = useState("");
  const [paused, setPaused] = useState(false);
  const [error, setError] = useState<string>();
  const [file, setFile] = useState<string>();
  const cursor = useRef<number | undefined>(undefined);
  const counter = useRef(0);
  const box = useRef<HTMLDivElement>(null);
  const [follow, setFollow] = useState(true);
  const available = client.has("logs.tail");

  useEffect(() => {
    if (!available || paused) return;
    let stop = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const r = await client.request<{ file: string; cursor: number; lines: string[]; reset?: boolean }>(
          "logs.tail",
          {
            ...(cursor.current !== undefined ? { cursor: cursor.current } : {}),
            limit: 500,
          },
        );
        if (stop) return;
        setFile(r.file);
        setError(undefined);
        cursor.current = r.cursor;
        setLines((cur) => {
          const base = r.reset ? [] : cur;
          const seen = new Set(base.map((l) => l.raw));
          const fresh = r.lines.filter((l) => !seen.has(l) && (seen.add(l), true))
            .map((l) => parseLine(l, ++counter.current));
          return fresh.length || r.reset ? [...base, ...fresh].slice(-MAX_LINES) : cur;
        });
      } catch (e) {
        if (!stop) setError((e as Error).message);
      }
      if (!stop) timer = setTimeout(poll, 2000);
    };
    void poll();
    return () => {
      stop = true;
      clearTimeout(timer);
    };
  }, [available, paused]);

  useEffect(() => {
    const el = box.current;
    if (el && follow) el.scrollTop = el.scrollHeight;
  }, [lines, follow, level, search]);

  if (!available) {
    return (
      <Page title="Logs">
        <Unavailable method="logs.tail" what="The log tail" />
      </Page>
    );
  }
  const min = LEVELS.indexOf(level);
  const q = search.trim().toLowerCase();
  const shown = lines.filter((l) =>
    Math.max(0, LEVELS.indexOf(l.level)) >= min &&
    (!q || `${l.msg} ${l.rest} ${l.runId ?? ""}`.toLowerCase().includes(q))
  );
  return (
    <Page
      title="Logs"
      actions={
        <>
          <select
            id="log-level"
            value={level}
            onChange={(e) => setLevel((e.target as HTMLSelectElement).value)}
            aria-label="Minimum level"
          >
            {LEVELS.map((l) => <option key={l} value={l}>{l}+</option>)}
          </select>
          <input
            id="log-search"
            aria-label="Search the log"
            placeholder="Search…"
            value={search}
            onInput={(e) => setSearch((e.target as HTMLInputElement).value)}
          />
          <button type="button" onClick={() => setPaused(!paused)}>{paused ? "Resume" : "Pause"}</button>
          <button type="button" id="log-download" onClick={() => download(shown)}>Download</button>
        </>
      }
    >
      <ErrorLine error={error} />
      {file === "" && (
        <p class="muted">
          File logging is off on this gateway (<code>logging.file</code>).
        </p>
      )}
      {!follow && (
        <button
          type="button"
          class="primary jump"
          id="log-jump"
          onClick={() => setFollow(true)}
        >
          Jump to latest
        </button>
      )}
      <div
        class="logs"
        id="log-lines"
        role="log"
        tabIndex={0}
        ref={box}
        onScroll={(e) => {
          const el = e.currentTarget as HTMLDivElement;
          setFollow(el.scrollHeight - el.scrollTop - el.clientHeight < 24);
        }}
      >
        {shown.map((l) => (
          <div class={`log ${l.level}`} key={l.n}>
            <span class="ts">{l.ts ? fmtTime(l.ts) : ""}</span>
            <span class={`lvl ${l.level}`}>{l.level}</span>
            <span class="msg">
              {splitRunIds(l.msg).map((p) => (p.runId ? <RunLink runId={p.runId} nav={nav} /> : p.text))}
              {l.runId && !l.msg.includes(l.runId) && (
                <>
                  <RunLink runId={l.runId} nav={nav} />
                </>
              )}
              {l.rest && <span class="muted">{l.rest}</span>}
            </span>
          </div>
        ))}
        {shown.length === 0 && <p class="muted">No log lines{q || min > 0 ? " match the filter" : " yet"}.
        </p>}
      </div>
    </Page>
  );
}

/** Saves the lines shown (after the filters) as a .log file of their raw JSON lines. */
function download(lines: Line[]) {
  const blob = new Blob([lines.map((l) => l.raw).join("\n") + "\n"], { type: "text/plain" });
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = `talon-${new Date().toISOString().slice(0, 19).replaceAll(":", "")}.log`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}
