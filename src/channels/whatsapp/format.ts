/**
 * Markdown (what models write) → WhatsApp formatting: `*bold*`, `_italic_`, `~strike~`, and code as
 * ``` fences / `inline`, which WhatsApp renders alike. Code spans and blocks are left untouched.
 */

/** Converts one reply chunk. */
export function markdownToWhatsApp(text: string): string {
  const parts = text.split(/(```[\s\S]*?(?:```|$)|`[^`\n]+`)/);
  return parts.map((part, i) => (i % 2 === 1 ? part : convertProse(part))).join("");
}

/** A placeholder for bold markers while single-asterisk italics are rewritten. */
const BOLD = "\u0000B";

function convertProse(text: string): string {
  return text
    // Headings become bold lines.
    .replace(/^#{1,6}\s+(.+?)\s*#*$/gm, `${BOLD}$1${BOLD}`)
    // **bold** / __bold__ first, guarded so the italic rule below does not re-read them.
    .replace(/\*\*(?=\S)([\s\S]*?\S)\*\*/g, `${BOLD}$1${BOLD}`)
    .replace(/__(?=\S)([\s\S]*?\S)__/g, `${BOLD}$1${BOLD}`)
    // *italic* (single asterisks) → _italic_
    .replace(/(^|[^\w*])\*(?=\S)([^*\n]*?\S)\*(?!\w)/g, "$1_$2_")
    .replace(/~~(?=\S)([\s\S]*?\S)~~/g, "~$1~")
    // [label](url) → label (url)
    .replace(/\[([^\]\n]+)\]\((https?:\/\/[^)\s]+)\)/g, "$1 ($2)")
    // Bullets: "* item" would read as bold markers.
    .replace(/^(\s*)[*+]\s+/gm, "$1• ")
    .replaceAll(BOLD, "*");
}
