/**
 * The reading side of the lean HTTP/1.1 client (http1_fetch.ts): buffered reads from a connection, the
 * response head, and the body framings (content-length, chunked, read to the close), each with the limits
 * and errors a malformed or cut response gets.
 */

/** The most a response head (status line and headers) may take. */
export const MAX_HEAD_BYTES = 64 * 1024;
/** The most a chunk-size line of a chunked body may take. */
const MAX_LINE_BYTES = 4 * 1024;
const FIRST_READ_BYTES = 1024;
const MAX_READ_BYTES = 64 * 1024;

/** An HTTP token (method, header name). */
export const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export interface ResponseHead {
  status: number;
  reason: string;
  headers: Headers;
  /** The minor version: 1 for HTTP/1.1, 0 for HTTP/1.0. */
  minor: number;
}

const latin1 = new TextDecoder("latin1");

/** Parses a response head (without its blank line). Throws on anything that is not HTTP/1.x. */
export function parseHead(bytes: Uint8Array): ResponseHead {
  const lines = latin1.decode(bytes).split("\r\n");
  const status = /^HTTP\/1\.([01]) (\d{3})(?: (.*))?$/.exec(lines[0]!);
  if (!status) throw new Error(`malformed status line ${JSON.stringify(lines[0]!.slice(0, 80))}`);
  const headers = new Headers();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(":");
    const name = line.slice(0, colon);
    if (colon <= 0 || !TOKEN.test(name)) {
      throw new Error(`malformed header line ${JSON.stringify(line.slice(0, 80))}`);
    }
    headers.append(name, line.slice(colon + 1).trim());
  }
  return { status: Number(status[2]), reason: status[3] ?? "", headers, minor: Number(status[1]) };
}

/**
 * How the body is framed: `next` gives the next piece of it on each call, null at its end; `framed` is false
 * for a body that runs until the server closes (its connection cannot be kept).
 */
export function bodyReader(
  wire: Wire,
  headers: Headers,
): { next: () => Promise<Uint8Array | null>; framed: boolean } {
  const te = headers.get("transfer-encoding");
  if (te !== null) {
    const codings = te.split(",").map((c) => c.trim().toLowerCase());
    // Per RFC 9112 a body whose last coding is not chunked runs until the server closes.
    return codings.at(-1) === "chunked"
      ? { next: chunkedReader(wire), framed: true }
      : { next: () => wire.some(), framed: false };
  }
  const length = headers.get("content-length");
  if (length === null) return { next: () => wire.some(), framed: false };
  const values = new Set(length.split(",").map((v) => v.trim()));
  const [only] = values;
  if (values.size !== 1 || !/^\d{1,15}$/.test(only!)) {
    throw new Error(`malformed content-length ${JSON.stringify(length.slice(0, 40))}`);
  }
  const total = Number(only);
  let left = total;
  const next = async () => {
    if (left === 0) return null;
    const piece = await wire.some(left);
    if (!piece) throw new Error(`connection closed ${total - left} bytes into a ${total}-byte body`);
    left -= piece.byteLength;
    return piece;
  };
  return { next, framed: true };
}

function chunkedReader(wire: Wire): () => Promise<Uint8Array | null> {
  let left = 0;
  let ended = false;
  const cut = () => new Error("connection closed inside a chunked body");
  return async () => {
    if (ended) return null;
    if (left === 0) {
      const line = await wire.line();
      if (line === null) throw cut();
      const size = /^([0-9a-fA-F]{1,12})[ \t]*(?:;.*)?$/.exec(line);
      if (!size) throw new Error(`malformed chunk size ${JSON.stringify(line.slice(0, 40))}`);
      left = parseInt(size[1]!, 16);
      if (left === 0) {
        // Trailers, up to the blank line that ends the message.
        for (;;) {
          const trailer = await wire.line();
          if (trailer === null) throw cut();
          if (trailer === "") break;
        }
        ended = true;
        return null;
      }
    }
    const piece = await wire.some(left);
    if (!piece) throw cut();
    left -= piece.byteLength;
    if (left === 0 && (await wire.line()) !== "") {
      throw new Error("malformed chunked body: no CRLF after a chunk");
    }
    return piece;
  };
}

/** Buffered reads from a connection. */
export class Wire {
  #conn: Deno.Conn;
  #buf = new Uint8Array(0);
  #readSize = FIRST_READ_BYTES;
  /** Whether any byte has arrived. */
  received = false;

  constructor(conn: Deno.Conn) {
    this.#conn = conn;
  }

  /** Reads more into the buffer; false at the end of the stream. */
  async #fill(): Promise<boolean> {
    const into = new Uint8Array(this.#readSize);
    const n = await this.#conn.read(into);
    if (n === null) return false;
    this.received = true;
    if (n === into.byteLength) this.#readSize = Math.min(this.#readSize * 2, MAX_READ_BYTES);
    if (this.#buf.byteLength === 0) this.#buf = into.subarray(0, n);
    else {
      const joined = new Uint8Array(this.#buf.byteLength + n);
      joined.set(this.#buf);
      joined.set(into.subarray(0, n), this.#buf.byteLength);
      this.#buf = joined;
    }
    return true;
  }

  /** Bytes read and not taken yet. */
  get buffered(): number {
    return this.#buf.byteLength;
  }

  #take(n: number): Uint8Array {
    const out = this.#buf.subarray(0, n);
    this.#buf = this.#buf.subarray(n);
    return out;
  }

  /** A response head without its blank line. */
  async head(): Promise<Uint8Array> {
    for (let from = 0;;) {
      const end = indexOf(this.#buf, CRLFCRLF, from);
      if (end >= 0 && end <= MAX_HEAD_BYTES) return this.#take(end + 4).subarray(0, end);
      if (end >= 0 || this.#buf.byteLength > MAX_HEAD_BYTES) {
        throw new Error(`response head larger than ${MAX_HEAD_BYTES} bytes`);
      }
      from = Math.max(0, this.#buf.byteLength - 3);
      if (!(await this.#fill())) {
        throw new Error(
          this.#buf.byteLength
            ? "connection closed inside the response head"
            : "connection closed before a response",
        );
      }
    }
  }

  /** One CRLF-ended line (without the CRLF); null when the stream ends first. */
  async line(): Promise<string | null> {
    for (let from = 0;;) {
      const end = indexOf(this.#buf, CRLF, from);
      if (end >= 0) return latin1.decode(this.#take(end + 2).subarray(0, end));
      if (this.#buf.byteLength > MAX_LINE_BYTES) throw new Error(`line longer than ${MAX_LINE_BYTES} bytes`);
      from = Math.max(0, this.#buf.byteLength - 1);
      if (!(await this.#fill())) return null;
    }
  }

  /** Up to `max` bytes (at least one); null when the stream has ended. */
  async some(max = Infinity): Promise<Uint8Array | null> {
    if (this.#buf.byteLength === 0 && !(await this.#fill())) return null;
    return this.#take(Math.min(max, this.#buf.byteLength)).slice();
  }
}

const CRLF = new Uint8Array([13, 10]);
const CRLFCRLF = new Uint8Array([13, 10, 13, 10]);

function indexOf(hay: Uint8Array, needle: Uint8Array, from: number): number {
  outer: for (let i = from; i <= hay.byteLength - needle.byteLength; i++) {
    for (let j = 0; j < needle.byteLength; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}
