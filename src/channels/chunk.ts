/**
 * Splits a reply into platform-sized chunks. Prefers paragraph, then line, then word boundaries, and
 * never breaks a fenced code block: a block cut in two is closed at the end of one chunk and reopened
 * (with its language) at the start of the next.
 */

const FENCE = /^\s*(`{3,}|~{3,})(.*)$/;
const CLOSE_RESERVE = 4; // "\n```"

/** Splits `text` into chunks of at most `max` characters. Throws RangeError when `max` < 32. */
export function chunkText(text: string, max: number): string[] {
  if (!Number.isInteger(max) || max < 32) {
    throw new RangeError(`chunk size must be an integer >= 32, got ${max}`);
  }
  const chunks: string[] = [];
  let rest = text;
  while (rest.length > max) {
    const open = fenceAtStart(rest);
    const budget = max - CLOSE_RESERVE;
    const { cut, skip } = bestBreak(rest, budget, open ? open.length + 1 : 0);
    let piece = rest.slice(0, cut);
    let after = rest.slice(cut + skip);
    const fence = openFenceAfter(piece);
    if (fence) {
      piece = piece.replace(/\n+$/, "") + "\n" + fence.marker;
      after = fence.opener + "\n" + after.replace(/^\n/, "");
    } else {
      after = after.replace(/^\n+/, "");
    }
    if (piece.trim()) chunks.push(piece.replace(/\s+$/, ""));
    rest = after;
  }
  if (rest.trim()) chunks.push(rest.replace(/\s+$/, ""));
  return chunks;
}

/** Finds where to cut within `budget` characters: paragraph > line > word > hard cut. */
function bestBreak(text: string, budget: number, minimum: number): { cut: number; skip: number } {
  const window = text.slice(0, budget + 1);
  const floor = Math.max(minimum + 1, Math.floor(budget / 2));
  const para = window.lastIndexOf("\n\n", budget);
  if (para >= floor) return { cut: para, skip: 2 };
  const line = window.lastIndexOf("\n", budget);
  if (line >= floor) return { cut: line, skip: 1 };
  const space = window.lastIndexOf(" ", budget);
  if (space >= floor) return { cut: space, skip: 1 };
  let cut = budget;
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut--; // keep surrogate pairs whole
  return { cut, skip: 0 };
}

/** The opener line when `text` starts inside a fence we reopened, for progress accounting. */
function fenceAtStart(text: string): string | undefined {
  const first = text.slice(0, text.indexOf("\n") === -1 ? undefined : text.indexOf("\n"));
  return FENCE.test(first) ? first : undefined;
}

/** When `text` ends inside a fenced block: its opener line and closing marker. */
function openFenceAfter(text: string): { opener: string; marker: string } | undefined {
  let open: { opener: string; marker: string } | undefined;
  for (const line of text.split("\n")) {
    const m = FENCE.exec(line);
    if (!m) continue;
    const marker = m[1] ?? "```";
    if (!open) open = { opener: line.trim(), marker };
    else if (marker[0] === open.marker[0] && marker.length >= open.marker.length && !(m[2] ?? "").trim()) {
      open = undefined;
    }
  }
  return open;
}
