/**
 * Reading skill archives (.tar.gz / .tgz and .zip) into a list of entries, with no extraction yet: the
 * installer checks every path before anything is written. Only regular files, folders and symlinks are
 * kept; hard links, devices and zip64 archives are refused. Sizes are capped before decompression ends.
 */

export interface ArchiveEntry {
  /** The path inside the archive as written (checked later). */
  path: string;
  kind: "file" | "dir" | "symlink";
  /** Contents of a file. */
  data?: Uint8Array;
  /** Target of a symlink. */
  target?: string;
  /** Unix mode bits (0 when unknown). */
  mode: number;
}

export interface ArchiveLimits {
  maxBytes: number;
  maxEntries: number;
}

export const DEFAULT_ARCHIVE_LIMITS: ArchiveLimits = { maxBytes: 50 * 1024 * 1024, maxEntries: 5_000 };

/** Reads an archive by its file name's extension. Throws TypeError naming what is wrong. */
export async function readArchive(
  file: string,
  limits: ArchiveLimits = DEFAULT_ARCHIVE_LIMITS,
): Promise<ArchiveEntry[]> {
  const bytes = await Deno.readFile(file);
  if (/\.(tar\.gz|tgz)$/i.test(file)) return readTar(await gunzip(bytes, limits.maxBytes), limits);
  if (/\.zip$/i.test(file)) return await readZip(bytes, limits);
  throw new TypeError(`${file}: not a .tar.gz, .tgz or .zip archive`);
}

/** Decompresses gzip, refusing more than `max` bytes of output. */
async function gunzip(bytes: Uint8Array, max: number): Promise<Uint8Array> {
  return await drain(new Blob([bytes.slice()]).stream().pipeThrough(new DecompressionStream("gzip")), max);
}

async function drain(stream: ReadableStream<Uint8Array>, max: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for await (const chunk of stream) {
      total += chunk.length;
      if (total > max) throw new RangeError(`the archive unpacks to more than ${max} bytes`);
      chunks.push(chunk);
    }
  } catch (err) {
    if (err instanceof RangeError) throw new TypeError(err.message);
    throw new TypeError(`the archive is corrupt: ${(err as Error).message}`);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

const dec = new TextDecoder();
const cstr = (b: Uint8Array) => {
  const end = b.indexOf(0);
  return dec.decode(end < 0 ? b : b.subarray(0, end));
};
const octal = (b: Uint8Array) => parseInt(cstr(b).trim() || "0", 8);

/** Parses a POSIX/GNU tar (ustar, with GNU long names and pax `path`/`linkpath`). */
export function readTar(buf: Uint8Array, limits: ArchiveLimits = DEFAULT_ARCHIVE_LIMITS): ArchiveEntry[] {
  const out: ArchiveEntry[] = [];
  let at = 0;
  let longName: string | undefined;
  let longLink: string | undefined;
  while (at + 512 <= buf.length) {
    const h = buf.subarray(at, at + 512);
    if (h.every((b) => b === 0)) break;
    const size = octal(h.subarray(124, 136));
    if (!Number.isFinite(size) || size < 0 || at + 512 + size > buf.length) {
      throw new TypeError("the tar archive is truncated or corrupt");
    }
    const type = String.fromCharCode(h[156]!);
    const data = buf.subarray(at + 512, at + 512 + size);
    at += 512 + Math.ceil(size / 512) * 512;
    const prefix = cstr(h.subarray(345, 500));
    const path = longName ?? (prefix ? `${prefix}/${cstr(h.subarray(0, 100))}` : cstr(h.subarray(0, 100)));
    const link = longLink ?? cstr(h.subarray(157, 257));
    longName = longLink = undefined;
    if (type === "L") {
      longName = cstr(data);
      continue;
    }
    if (type === "K") {
      longLink = cstr(data);
      continue;
    }
    if (type === "x") {
      const pax = parsePax(data);
      longName = pax.path;
      longLink = pax.linkpath;
      continue;
    }
    if (type === "g") continue;
    const mode = octal(h.subarray(100, 108)) & 0o777;
    if (out.length >= limits.maxEntries) {
      throw new TypeError(`the archive has more than ${limits.maxEntries} entries`);
    }
    if (type === "0" || type === "\0" || type === "7") {
      out.push({ path, kind: "file", data: data.slice(), mode });
    } else if (type === "5") out.push({ path: path.replace(/\/+$/, ""), kind: "dir", mode });
    else if (type === "2") out.push({ path, kind: "symlink", target: link, mode });
    else if (type === "1") throw new TypeError(`${path}: hard links are not accepted in skill archives`);
    else throw new TypeError(`${path}: entries of tar type '${type}' (devices, fifos…) are not accepted`);
  }
  return out;
}

function parsePax(data: Uint8Array): { path?: string; linkpath?: string } {
  const out: Record<string, string> = {};
  for (const line of dec.decode(data).split("\n")) {
    const m = /^\d+ ([^=]+)=(.*)$/.exec(line);
    if (m) out[m[1]!] = m[2]!;
  }
  return { path: out.path, linkpath: out.linkpath };
}

/** Parses a zip (stored and deflated entries; no zip64, no encryption). */
export async function readZip(
  buf: Uint8Array,
  limits: ArchiveLimits = DEFAULT_ARCHIVE_LIMITS,
): Promise<ArchiveEntry[]> {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 65_535); i--) {
    if (view.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new TypeError("not a zip archive (no end of central directory)");
  const count = view.getUint16(eocd + 10, true);
  let at = view.getUint32(eocd + 16, true);
  if (count === 0xffff || at === 0xffffffff) throw new TypeError("zip64 archives are not accepted");
  if (count > limits.maxEntries) {
    throw new TypeError(`the archive has more than ${limits.maxEntries} entries`);
  }
  const out: ArchiveEntry[] = [];
  let total = 0;
  for (let n = 0; n < count; n++) {
    if (at + 46 > buf.length || view.getUint32(at, true) !== 0x02014b50) {
      throw new TypeError("the zip central directory is corrupt");
    }
    const flags = view.getUint16(at + 8, true);
    const method = view.getUint16(at + 10, true);
    const csize = view.getUint32(at + 20, true);
    const usize = view.getUint32(at + 24, true);
    const nameLen = view.getUint16(at + 28, true);
    const extraLen = view.getUint16(at + 30, true);
    const commentLen = view.getUint16(at + 32, true);
    const unixMode = view.getUint32(at + 38, true) >>> 16;
    const local = view.getUint32(at + 42, true);
    const path = dec.decode(buf.subarray(at + 46, at + 46 + nameLen));
    at += 46 + nameLen + extraLen + commentLen;
    if (flags & 1) throw new TypeError(`${path}: encrypted zip entries are not accepted`);
    total += usize;
    if (total > limits.maxBytes) {
      throw new TypeError(`the archive unpacks to more than ${limits.maxBytes} bytes`);
    }
    if (local + 30 > buf.length || view.getUint32(local, true) !== 0x04034b50) {
      throw new TypeError(`${path}: the zip entry's local header is corrupt`);
    }
    const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    const raw = buf.subarray(start, start + csize);
    if (raw.length !== csize) throw new TypeError(`${path}: the zip entry is truncated`);
    const type = unixMode & 0o170000;
    if (path.endsWith("/") || type === 0o040000) {
      out.push({ path: path.replace(/\/+$/, ""), kind: "dir", mode: unixMode & 0o777 });
      continue;
    }
    let data: Uint8Array;
    if (method === 0) data = raw.slice();
    else if (method === 8) {
      data = await drain(
        new Blob([raw.slice()]).stream().pipeThrough(new DecompressionStream("deflate-raw")),
        usize,
      );
    } else throw new TypeError(`${path}: zip compression method ${method} is not supported`);
    if (type === 0o120000) out.push({ path, kind: "symlink", target: dec.decode(data), mode: 0o777 });
    else if (type === 0 || type === 0o100000) out.push({ path, kind: "file", data, mode: unixMode & 0o777 });
    else throw new TypeError(`${path}: special files are not accepted in skill archives`);
  }
  return out;
}
