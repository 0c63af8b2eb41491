/**
 * Splits a Markdown file into search chunks: by headings and paragraphs, each at most about
 * `chunkTokens` (chars / 4), with `overlapTokens` of the previous chunk repeated when a section had to be
 * cut by size. Pure; line numbers are 1-based and inclusive.
 */
import { createHash } from "node:crypto";

export interface Chunk {
  startLine: number;
  endLine: number;
  text: string;
  /** sha256 hex of `text`: the identity of a chunk for re-indexing and the embedding cache. */
  hash: string;
}

export interface ChunkOptions {
  chunkTokens: number;
  overlapTokens: number;
}

/** sha256 hex of a string. */
export function hashText(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

interface Line {
  no: number;
  text: string;
}

/** Chunks `text`. Blank-only files give no chunks. */
export function chunkMarkdown(text: string, opts: ChunkOptions): Chunk[] {
  const maxChars = Math.max(200, opts.chunkTokens * 4);
  const overlapChars = Math.min(opts.overlapTokens * 4, Math.floor(maxChars / 2));
  const lines = splitLongLines(text.split(/\r?\n/).map((t, i) => ({ no: i + 1, text: t })), maxChars);
  const out: Chunk[] = [];
  let cur: Line[] = [];
  let size = 0;
  const flush = (overlap: boolean) => {
    const body = cur.map((l) => l.text).join("\n").trim();
    if (body) out.push(makeChunk(cur, body));
    const carried: Line[] = [];
    if (overlap && overlapChars > 0) {
      let n = 0;
      for (let i = cur.length - 1; i > 0; i--) {
        n += cur[i]!.text.length + 1;
        if (n > overlapChars) break;
        carried.unshift(cur[i]!);
      }
    }
    cur = carried;
    size = carried.reduce((s, l) => s + l.text.length + 1, 0);
  };
  for (const block of blocks(lines)) {
    const blockSize = block.reduce((s, l) => s + l.text.length + 1, 0);
    const heading = /^#{1,6}\s/.test(block[0]!.text);
    if (heading && size >= maxChars / 4) flush(false);
    if (size + blockSize > maxChars && size > 0) flush(true);
    if (cur.length) {
      cur.push({ no: block[0]!.no - 1, text: "" }); // keep paragraphs apart in the chunk text
      size += 1;
    }
    if (blockSize <= maxChars) {
      cur.push(...block);
      size += blockSize;
      continue;
    }
    for (const line of block) {
      if (size + line.text.length + 1 > maxChars && size > 0) flush(true);
      cur.push(line);
      size += line.text.length + 1;
    }
  }
  flush(false);
  return out;
}

function makeChunk(lines: Line[], body: string): Chunk {
  const real = lines.filter((l) => l.text.trim());
  return { startLine: real[0]!.no, endLine: real[real.length - 1]!.no, text: body, hash: hashText(body) };
}

/** Paragraphs and headings: a heading line starts a block, a blank line ends one. */
function blocks(lines: Line[]): Line[][] {
  const out: Line[][] = [];
  let cur: Line[] = [];
  for (const line of lines) {
    if (!line.text.trim()) {
      if (cur.length) out.push(cur);
      cur = [];
      continue;
    }
    if (/^#{1,6}\s/.test(line.text) && cur.length) {
      out.push(cur);
      cur = [];
    }
    cur.push(line);
  }
  if (cur.length) out.push(cur);
  return out;
}

/** A line longer than a chunk is cut into pieces that keep its line number. */
function splitLongLines(lines: Line[], maxChars: number): Line[] {
  const out: Line[] = [];
  for (const l of lines) {
    if (l.text.length <= maxChars) {
      out.push(l);
      continue;
    }
    for (let i = 0; i < l.text.length; i += maxChars) {
      out.push({ no: l.no, text: l.text.slice(i, i + maxChars) });
    }
  }
  return out;
}
