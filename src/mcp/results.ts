/**
 * A tools/call result turned into what the model gets: text blocks joined, images saved under the media
 * folder (and named in the text), resource links and embedded resources described, everything capped at
 * `maxBytes` with a note saying how much was cut.
 */
import type { McpCallResult } from "./types.ts";

interface Block {
  type?: unknown;
  text?: unknown;
  data?: unknown;
  mimeType?: unknown;
  uri?: unknown;
  name?: unknown;
  resource?: { uri?: unknown; text?: unknown; mimeType?: unknown };
}

const MAX_IMAGE_BYTES = 10 * 1024 * 1024;

export async function toCallResult(
  raw: { content?: unknown; isError?: unknown; structuredContent?: unknown },
  o: { maxBytes: number; mediaDir?: string; name: string },
): Promise<McpCallResult> {
  const parts: string[] = [];
  const images: McpCallResult["images"] = [];
  const blocks = Array.isArray(raw.content) ? raw.content as Block[] : [];
  for (const b of blocks) {
    if (b.type === "text" && typeof b.text === "string") parts.push(b.text);
    else if (b.type === "image" && typeof b.data === "string") {
      const mime = typeof b.mimeType === "string" ? b.mimeType : "application/octet-stream";
      const bytes = Math.floor(b.data.length * 3 / 4);
      if (!o.mediaDir || bytes > MAX_IMAGE_BYTES || !/^image\/(png|jpeg|gif|webp)$/.test(mime)) {
        parts.push(`[image ${mime}, ${bytes} bytes: not kept]`);
        continue;
      }
      let data: Uint8Array;
      try {
        data = Uint8Array.from(atob(b.data), (c) => c.charCodeAt(0));
      } catch {
        parts.push(`[image ${mime}: not valid base64, not kept]`);
        continue;
      }
      const path = `${o.mediaDir}/mcp-${crypto.randomUUID()}.${mime.slice(6).replace("jpeg", "jpg")}`;
      await Deno.mkdir(o.mediaDir, { recursive: true, mode: 0o700 });
      await Deno.writeFile(path, data, { mode: 0o600 });
      images.push({ path, mime, bytes: data.length });
      parts.push(`[image ${mime}, ${data.length} bytes, saved to ${path}]`);
    } else if (b.type === "resource_link" && typeof b.uri === "string") {
      parts.push(`[resource link: ${b.uri}${typeof b.name === "string" ? ` (${b.name})` : ""}]`);
    } else if (b.type === "resource" && b.resource && typeof b.resource.uri === "string") {
      parts.push(
        typeof b.resource.text === "string"
          ? `[resource ${b.resource.uri}]\n${b.resource.text}`
          : `[resource ${b.resource.uri}${
            typeof b.resource.mimeType === "string" ? `, ${b.resource.mimeType}` : ""
          }]`,
      );
    } else if (typeof b.type === "string") parts.push(`[${b.type} content not shown]`);
  }
  if (!parts.length && raw.structuredContent !== undefined) parts.push(JSON.stringify(raw.structuredContent));
  let content = parts.join("\n") || "(no content)";
  const enc = new TextEncoder().encode(content);
  if (enc.length > o.maxBytes) {
    let end = o.maxBytes;
    while (end > 0 && (enc[end]! & 0xc0) === 0x80) end--;
    content = new TextDecoder().decode(enc.subarray(0, end)) +
      `\n[… ${o.name} returned ${enc.length} bytes; cut at ${o.maxBytes} (mcp.maxResultBytes)]`;
  }
  return { content, isError: raw.isError === true, images };
}
