import type { LogRecord, LogSink } from "./logger.ts";

export interface FileSinkOptions {
  /** Directory of the log files, e.g. ~/.talon/logs. */
  dir: string;
  /** Rotate when the current file passes this size. */
  maxBytes?: number;
  /** How many rotated files to keep (talon.log.1 … talon.log.N). */
  maxFiles?: number;
}

export const LOG_FILE_NAME = "talon.log";

/**
 * JSON-lines log file with size-based rotation: talon.log → talon.log.1 → … → talon.log.N.
 * Writes are synchronous appends so a crash loses at most the line being written.
 */
export function fileSink(options: FileSinkOptions): LogSink & { path: string } {
  const maxBytes = options.maxBytes ?? 10 * 1024 * 1024;
  const maxFiles = options.maxFiles ?? 5;
  const path = `${options.dir}/${LOG_FILE_NAME}`;
  Deno.mkdirSync(options.dir, { recursive: true, mode: 0o700 });
  let file = Deno.openSync(path, { append: true, create: true, mode: 0o600 });
  let size = file.statSync().size;
  const encoder = new TextEncoder();

  const rotate = () => {
    file.close();
    for (let i = maxFiles - 1; i >= 1; i--) {
      try {
        Deno.renameSync(`${path}.${i}`, `${path}.${i + 1}`);
      } catch { /* missing generation */ }
    }
    try {
      Deno.removeSync(`${path}.${maxFiles + 1}`);
    } catch { /* none */ }
    Deno.renameSync(path, `${path}.1`);
    file = Deno.openSync(path, { append: true, create: true, mode: 0o600 });
    size = 0;
  };

  return {
    path,
    write(record: LogRecord) {
      const bytes = encoder.encode(JSON.stringify(record) + "\n");
      if (size > 0 && size + bytes.length > maxBytes) rotate();
      file.writeSync(bytes);
      size += bytes.length;
    },
    close() {
      try {
        file.close();
      } catch { /* already closed */ }
    },
  };
}

export interface LogTail {
  file: string;
  cursor: number;
  size: number;
  lines: string[];
  truncated: boolean;
  reset: boolean;
}

/**
 * Reads log lines after byte `cursor` (or the last `limit` lines when no cursor), at most `maxBytes`.
 * A cursor past the end of the file (it was rotated) restarts from the beginning with `reset: true`.
 */
export async function tailLogFile(
  path: string,
  opts: { cursor?: number; limit?: number; maxBytes?: number },
): Promise<LogTail> {
  const limit = opts.limit ?? 200;
  const maxBytes = opts.maxBytes ?? 256 * 1024;
  let size = 0;
  try {
    size = (await Deno.stat(path)).size;
  } catch {
    return { file: path, cursor: 0, size: 0, lines: [], truncated: false, reset: false };
  }
  let reset = false;
  let start: number;
  if (opts.cursor === undefined) {
    start = Math.max(0, size - maxBytes);
  } else if (opts.cursor > size) {
    start = 0;
    reset = true;
  } else {
    start = opts.cursor;
  }
  const length = Math.min(size - start, maxBytes);
  const buf = new Uint8Array(length);
  const file = await Deno.open(path, { read: true });
  try {
    await file.seek(start, Deno.SeekMode.Start);
    let read = 0;
    while (read < length) {
      const n = await file.read(buf.subarray(read));
      if (n === null) break;
      read += n;
    }
  } finally {
    file.close();
  }
  let text = new TextDecoder().decode(buf);
  // Only hand out complete lines; the cursor stops after the last newline.
  const lastNl = text.lastIndexOf("\n");
  text = lastNl >= 0 ? text.slice(0, lastNl + 1) : "";
  let lines = text.split("\n").filter((l) => l.length > 0);
  // Without a cursor we may have started mid-line.
  if (opts.cursor === undefined && start > 0) lines = lines.slice(1);
  const enc = new TextEncoder();
  let cursor = start + enc.encode(text).length;
  const truncated = lines.length > limit;
  if (truncated && opts.cursor !== undefined) {
    // Following a cursor: hand out the oldest lines first so none are skipped.
    lines = lines.slice(0, limit);
    cursor = start + lines.reduce((n, l) => n + enc.encode(l).length + 1, 0);
  } else if (truncated) {
    lines = lines.slice(-limit);
  }
  return { file: path, cursor, size, lines, truncated, reset };
}
