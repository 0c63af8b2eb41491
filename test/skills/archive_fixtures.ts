/** Writes small tar.gz and zip archives for the skills installer tests (including malicious entries). */

export interface FixtureEntry {
  path: string;
  kind?: "file" | "dir" | "symlink" | "hardlink";
  text?: string;
  target?: string;
}

const enc = new TextEncoder();

function tarHeader(e: FixtureEntry, size: number): Uint8Array {
  const h = new Uint8Array(512);
  const put = (s: string, at: number, len: number) => h.set(enc.encode(s).subarray(0, len), at);
  put(e.path, 0, 100);
  put("0000644\0", 100, 8);
  put("0000000\0", 108, 8);
  put("0000000\0", 116, 8);
  put(size.toString(8).padStart(11, "0") + "\0", 124, 12);
  put("00000000000\0", 136, 12);
  const type = { file: "0", dir: "5", symlink: "2", hardlink: "1" }[e.kind ?? "file"];
  put(type, 156, 1);
  if (e.target) put(e.target, 157, 100);
  put("ustar\0", 257, 6);
  put("00", 263, 2);
  put("        ", 148, 8);
  const sum = h.reduce((a, b) => a + b, 0);
  put(sum.toString(8).padStart(6, "0") + "\0 ", 148, 8);
  return h;
}

/** A gzipped tar of the entries. */
export async function tarGz(entries: FixtureEntry[]): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for (const e of entries) {
    const data = enc.encode(e.text ?? "");
    parts.push(tarHeader(e, e.kind === "file" || !e.kind ? data.length : 0));
    if (!e.kind || e.kind === "file") {
      parts.push(data, new Uint8Array((512 - (data.length % 512)) % 512));
    }
  }
  parts.push(new Uint8Array(1024));
  const tar = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    tar.set(p, at);
    at += p.length;
  }
  return new Uint8Array(
    await new Response(new Blob([tar]).stream().pipeThrough(new CompressionStream("gzip"))).arrayBuffer(),
  );
}

/** A zip of the entries (deflated files; symlinks as unix-mode entries). CRCs are not checked by the reader. */
export async function zip(entries: FixtureEntry[]): Promise<Uint8Array> {
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = enc.encode(e.kind === "dir" ? `${e.path}/` : e.path);
    const raw = enc.encode(e.kind === "symlink" ? e.target ?? "" : e.text ?? "");
    const data = e.kind === "file" || !e.kind
      ? new Uint8Array(
        await new Response(new Blob([raw]).stream().pipeThrough(new CompressionStream("deflate-raw")))
          .arrayBuffer(),
      )
      : raw;
    const method = e.kind === "file" || !e.kind ? 8 : 0;
    const mode = e.kind === "symlink" ? 0o120777 : e.kind === "dir" ? 0o040755 : 0o100644;
    const local = new Uint8Array(30 + name.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(8, method, true);
    lv.setUint32(18, data.length, true);
    lv.setUint32(22, raw.length, true);
    lv.setUint16(26, name.length, true);
    local.set(name, 30);
    const central = new Uint8Array(46 + name.length);
    const cv = new DataView(central.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, 0x0314, true);
    cv.setUint16(10, method, true);
    cv.setUint32(20, data.length, true);
    cv.setUint32(24, raw.length, true);
    cv.setUint16(28, name.length, true);
    cv.setUint32(38, mode << 16 >>> 0, true);
    cv.setUint32(42, offset, true);
    central.set(name, 46);
    locals.push(local, data);
    centrals.push(central);
    offset += local.length + data.length;
  }
  const cdSize = centrals.reduce((a, c) => a + c.length, 0);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, entries.length, true);
  ev.setUint16(10, entries.length, true);
  ev.setUint32(12, cdSize, true);
  ev.setUint32(16, offset, true);
  const all = [...locals, ...centrals, end];
  const out = new Uint8Array(all.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of all) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
