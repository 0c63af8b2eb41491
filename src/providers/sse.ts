/**
 * Server-sent events from a response body, by the WHATWG rules that model APIs use: `event:` and `data:`
 * fields (several `data:` lines join with "\n"), a blank line ends an event, `:` lines are comments, lines
 * end in LF, CRLF or CR. A line longer than `maxLineBytes` (default 16 MiB, far above any model chunk)
 * throws instead of growing without bound.
 */
export interface SseEvent {
  event?: string;
  data: string;
}

const DEFAULT_MAX_LINE = 16 * 1024 * 1024;

/** Yields each event of `body` with data; a trailing event without its blank line is dropped (cut). */
export async function* sseEvents(
  body: ReadableStream<Uint8Array>,
  maxLineBytes = DEFAULT_MAX_LINE,
): AsyncGenerator<SseEvent> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buf = "";
  let event: string | undefined;
  let data: string[] = [];
  let skipLf = false;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buf += decoder.decode(value, { stream: true });
      let start = 0;
      for (let i = 0; i < buf.length; i++) {
        const c = buf.charCodeAt(i);
        if (c !== 10 && c !== 13) continue;
        if (c === 10 && skipLf && i === start) {
          skipLf = false;
          start = i + 1;
          continue;
        }
        skipLf = c === 13;
        const line = buf.slice(start, i);
        start = i + 1;
        if (line === "") {
          if (data.length) yield { ...(event !== undefined ? { event } : {}), data: data.join("\n") };
          event = undefined;
          data = [];
          continue;
        }
        if (line.charCodeAt(0) === 58) continue; // ":" comment
        const colon = line.indexOf(":");
        const field = colon < 0 ? line : line.slice(0, colon);
        let value = colon < 0 ? "" : line.slice(colon + 1);
        if (value.charCodeAt(0) === 32) value = value.slice(1);
        if (field === "data") data.push(value);
        else if (field === "event") event = value;
      }
      buf = buf.slice(start);
      if (buf.length > maxLineBytes) {
        throw new SyntaxError(`malformed stream: a line longer than ${maxLineBytes} bytes`);
      }
    }
  } finally {
    reader.releaseLock();
  }
}
