/** A minimal HTTP/1.1 response reader (status, headers, Content-Length / chunked / until-close body). */

export interface Http1Response {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array;
  truncated: boolean;
}

const HEADER_LIMIT = 64 * 1024;

/** Reads one response from `conn` (which was sent `Connection: close`), keeping at most `maxBytes` of body. */
export async function readHttpResponse(conn: Deno.Conn, maxBytes: number): Promise<Http1Response> {
  let buf: Uint8Array = new Uint8Array(0);
  const chunk = new Uint8Array(16 * 1024);
  let headerEnd = -1;
  while (headerEnd < 0) {
    const n = await conn.read(chunk);
    if (n === null) throw new Error("connection closed before the response headers");
    buf = concat(buf, chunk.subarray(0, n));
    headerEnd = indexOfCrlfCrlf(buf);
    if (headerEnd < 0 && buf.length > HEADER_LIMIT) throw new Error("response headers are too large");
  }
  const head = new TextDecoder().decode(buf.subarray(0, headerEnd));
  const [statusLine, ...lines] = head.split("\r\n");
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? "");
  if (!m) throw new Error(`malformed status line: ${(statusLine ?? "").slice(0, 80)}`);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const i = line.indexOf(":");
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  const chunked = /chunked/i.test(headers["transfer-encoding"] ?? "");
  const length = headers["content-length"] !== undefined ? Number(headers["content-length"]) : undefined;
  // Raw body bytes (still chunk-encoded when chunked); chunk framing gets some slack over the cap.
  const rawCap = chunked ? maxBytes + 64 * 1024 : maxBytes;
  let raw = buf.subarray(headerEnd + 4);
  let truncated = false;
  while (true) {
    if (length !== undefined && raw.length >= length) break;
    if (chunked && chunkedComplete(raw)) break;
    if (raw.length > rawCap) {
      truncated = true;
      break;
    }
    const n = await conn.read(chunk);
    if (n === null) break;
    raw = concat(raw, chunk.subarray(0, n));
  }
  let body = chunked ? dechunk(raw) : length !== undefined ? raw.subarray(0, length) : raw;
  if (body.length > maxBytes) {
    body = body.subarray(0, maxBytes);
    truncated = true;
  }
  return { status: Number(m[1]), headers, body: body.slice(), truncated };
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function indexOfCrlfCrlf(buf: Uint8Array): number {
  for (let i = 0; i + 3 < buf.length; i++) {
    if (buf[i] === 13 && buf[i + 1] === 10 && buf[i + 2] === 13 && buf[i + 3] === 10) return i;
  }
  return -1;
}

/** Decodes as much chunked framing as is present. */
export function dechunk(raw: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [];
  let pos = 0;
  while (pos < raw.length) {
    let lineEnd = pos;
    while (lineEnd + 1 < raw.length && !(raw[lineEnd] === 13 && raw[lineEnd + 1] === 10)) lineEnd++;
    if (lineEnd + 1 >= raw.length) break;
    const size = parseInt(new TextDecoder().decode(raw.subarray(pos, lineEnd)).split(";")[0]!.trim(), 16);
    if (!Number.isFinite(size) || size === 0) break;
    const start = lineEnd + 2;
    parts.push(raw.subarray(start, Math.min(start + size, raw.length)));
    pos = start + size + 2;
  }
  return parts.reduce((acc, p) => concat(acc, p), new Uint8Array(0));
}

function chunkedComplete(raw: Uint8Array): boolean {
  let pos = 0;
  while (pos < raw.length) {
    let lineEnd = pos;
    while (lineEnd + 1 < raw.length && !(raw[lineEnd] === 13 && raw[lineEnd + 1] === 10)) lineEnd++;
    if (lineEnd + 1 >= raw.length) return false;
    const size = parseInt(new TextDecoder().decode(raw.subarray(pos, lineEnd)).split(";")[0]!.trim(), 16);
    if (!Number.isFinite(size)) return true;
    if (size === 0) return true;
    pos = lineEnd + 2 + size + 2;
  }
  return false;
}
