/** Downloads Telegram attachments (getFile + file URL) into the media directory, with a size cap. */
import type { Api } from "grammy";
import type { MediaRef } from "../../core/types.ts";
import { ChannelError } from "../errors.ts";
import type { PendingFile } from "./inbound.ts";

export interface DownloadOptions {
  api: Api;
  token: string;
  apiRoot: string;
  /** Directory files are written to (created when missing). */
  dir: string;
  maxBytes: number;
  signal?: AbortSignal;
}

/** Downloads one file. Throws ChannelError when it is larger than `maxBytes` or the download fails. */
export async function downloadTelegramFile(file: PendingFile, options: DownloadOptions): Promise<MediaRef> {
  if (file.bytes !== undefined && file.bytes > options.maxBytes) throw tooLarge(file.bytes, options.maxBytes);
  const info = await options.api.getFile(file.fileId, options.signal as never);
  if (!info.file_path) throw new ChannelError("telegram", "api", "Telegram returned no file_path");
  if (info.file_size !== undefined && info.file_size > options.maxBytes) {
    throw tooLarge(info.file_size, options.maxBytes);
  }
  const res = await fetch(`${options.apiRoot}/file/bot${options.token}/${info.file_path}`, {
    signal: options.signal,
  });
  if (!res.ok || !res.body) {
    await res.body?.cancel();
    throw new ChannelError("telegram", "http", `File download failed: HTTP ${res.status}`, {
      status: res.status,
    });
  }
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const part of res.body) {
    size += part.length;
    if (size > options.maxBytes) {
      await res.body.cancel().catch(() => {});
      throw tooLarge(size, options.maxBytes);
    }
    parts.push(part);
  }
  await Deno.mkdir(options.dir, { recursive: true });
  const ext = extensionOf(file.name ?? info.file_path);
  const path = `${options.dir}/${file.uniqueId.replace(/[^\w-]/g, "_")}${ext}`;
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    bytes.set(p, at);
    at += p.length;
  }
  await Deno.writeFile(path, bytes);
  return { kind: file.kind, path, mime: file.mime, bytes: size, name: file.name };
}

function tooLarge(size: number, max: number): ChannelError {
  return new ChannelError("telegram", "api", `Attachment of ${size} bytes exceeds the ${max}-byte cap`);
}

function extensionOf(name: string): string {
  const m = /\.([A-Za-z0-9]{1,8})$/.exec(name);
  return m ? `.${m[1]!.toLowerCase()}` : "";
}
