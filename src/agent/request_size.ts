/**
 * Sizes of what a model call sends, without serialising it all again on every step: the tool specs are
 * the bulk of a request (~7 KB for the default tools) and their schemas are the same objects turn after
 * turn (the tool registry keeps them), so each schema's JSON is measured once.
 */

/** A tool spec as runs send it (src/tools/types.ts ToolSpec, in this key order). */
export interface SizedToolSpec {
  name: string;
  description: string;
  parameters: unknown;
}

/** UTF-8 byte length of `s`, as TextEncoder would encode it (a lone surrogate becomes U+FFFD). */
export function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c <= 0xdbff && c >= 0xd800 && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 2; // a pair: two UTF-16 units, four bytes
      i++;
    } else n += 2;
  }
  return n;
}

const schemaSizes = new WeakMap<object, { chars: number; bytes: number }>();

function jsonSize(value: unknown): { chars: number; bytes: number } {
  const cacheable = typeof value === "object" && value !== null;
  const hit = cacheable ? schemaSizes.get(value) : undefined;
  if (hit) return hit;
  const json = JSON.stringify(value) ?? "";
  const size = { chars: json.length, bytes: utf8Length(json) };
  if (cacheable) schemaSizes.set(value, size);
  return size;
}

/** Length in UTF-16 units (`chars`) and UTF-8 bytes of `JSON.stringify(specs)`. */
export function toolSpecsSize(specs: readonly SizedToolSpec[]): { chars: number; bytes: number } {
  // [ ] and the commas between specs
  let chars = 2 + Math.max(0, specs.length - 1);
  let bytes = chars;
  for (const t of specs) {
    const name = JSON.stringify(t.name);
    const description = JSON.stringify(t.description);
    const params = jsonSize(t.parameters);
    // {"name":…,"description":…,"parameters":…}
    chars += 38 + name.length + description.length + params.chars;
    bytes += 38 + utf8Length(name) + utf8Length(description) + params.bytes;
  }
  return { chars, bytes };
}
