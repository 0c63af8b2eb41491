/**
 * Operations that run inside a permission-scoped sandbox worker. They use Deno APIs only (no npm
 * imports, nothing that needs permissions to load) and throw plain errors; a permission the worker lacks
 * surfaces as `Deno.errors.NotCapable`, which the sandbox turns into a tool error.
 */
import { readHttpResponse } from "./http1.ts";
import { checkOpenedFile, readUpTo, writeAll } from "./opened_file.ts";

/** `root`: the canonical workspace root the path was checked against (re-checked after opening). */
export interface ReadFileArgs {
  path: string;
  root: string;
  maxBytes: number;
}
export interface WriteFileArgs {
  path: string;
  root: string;
  content: string;
  append?: boolean;
}
export interface EditFileArgs {
  path: string;
  root: string;
  oldText: string;
  newText: string;
}
export interface ListDirArgs {
  path: string;
  recursive: boolean;
  maxEntries: number;
}
export interface ExecArgs {
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  timeoutMs: number;
  maxOutputBytes: number;
  stdin?: string;
}
export interface ExecOutcome {
  code: number;
  signal: string | null;
  stdout: string;
  stderr: string;
  truncated: boolean;
  timedOut: boolean;
}
export interface HttpGetArgs {
  /** The checked address to connect to. */
  ip: string;
  port: number;
  tls: boolean;
  /** Host header and TLS server name. */
  hostname: string;
  hostHeader: string;
  path: string;
  maxBytes: number;
  timeoutMs: number;
}
export interface HttpGetOutcome {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array;
  truncated: boolean;
}
export interface DirEntryInfo {
  path: string;
  type: "file" | "dir" | "symlink";
  size?: number;
}

/** Every operation by name. */
export const OPS = {
  async readFile(a: ReadFileArgs) {
    const file = await Deno.open(a.path, { read: true });
    try {
      await checkOpenedFile(file, a.path, a.root);
      const info = await file.stat();
      if (info.isDirectory) throw new TypeError(`${a.path} is a directory`);
      const bytes = await readUpTo(file, Math.min(info.size, a.maxBytes));
      return {
        text: new TextDecoder().decode(bytes),
        bytes: info.size,
        truncated: info.size > a.maxBytes,
      };
    } finally {
      file.close();
    }
  },

  async writeFile(a: WriteFileArgs) {
    const dir = a.path.slice(0, a.path.lastIndexOf("/")) || "/";
    await Deno.mkdir(dir, { recursive: true });
    // A new file is created with O_EXCL, which never follows a symlink in the last component; an existing
    // one is opened without truncating, checked, and only then truncated.
    let file: Deno.FsFile;
    try {
      file = await Deno.open(a.path, { write: true, createNew: true });
    } catch (err) {
      if (!(err instanceof Deno.errors.AlreadyExists)) throw err;
      file = await Deno.open(a.path, { write: true });
    }
    try {
      await checkOpenedFile(file, a.path, a.root);
      if (a.append) await file.seek(0, Deno.SeekMode.End);
      else await file.truncate(0);
      const bytes = new TextEncoder().encode(a.content);
      await writeAll(file, bytes);
      return { bytes: bytes.length };
    } finally {
      file.close();
    }
  },

  async editFile(a: EditFileArgs) {
    const file = await Deno.open(a.path, { read: true, write: true });
    try {
      await checkOpenedFile(file, a.path, a.root);
      const info = await file.stat();
      const text = new TextDecoder().decode(await readUpTo(file, info.size));
      const first = text.indexOf(a.oldText);
      if (a.oldText === "" || first < 0) {
        throw new RangeError("the text to replace was not found in the file");
      }
      if (text.indexOf(a.oldText, first + 1) >= 0) {
        throw new RangeError(
          "the text to replace occurs more than once; include more context to make it unique",
        );
      }
      const next = text.slice(0, first) + a.newText + text.slice(first + a.oldText.length);
      await file.truncate(0);
      await file.seek(0, Deno.SeekMode.Start);
      await writeAll(file, new TextEncoder().encode(next));
      return { line: text.slice(0, first).split("\n").length };
    } finally {
      file.close();
    }
  },

  async listDir(a: ListDirArgs) {
    const out: DirEntryInfo[] = [];
    let truncated = false;
    const walk = async (dir: string, prefix: string): Promise<void> => {
      const entries: Deno.DirEntry[] = [];
      for await (const e of Deno.readDir(dir)) entries.push(e);
      entries.sort((x, y) => x.name.localeCompare(y.name));
      for (const e of entries) {
        if (out.length >= a.maxEntries) {
          truncated = true;
          return;
        }
        const rel = prefix + e.name;
        if (e.isSymlink) out.push({ path: rel, type: "symlink" });
        else if (e.isDirectory) {
          out.push({ path: rel + "/", type: "dir" });
          if (a.recursive) await walk(`${dir}/${e.name}`, rel + "/");
        } else {
          const info = await Deno.lstat(`${dir}/${e.name}`);
          out.push({ path: rel, type: "file", size: info.size });
        }
      }
    };
    await walk(a.path, "");
    return { entries: out, truncated };
  },

  async exec(a: ExecArgs): Promise<ExecOutcome> {
    const [program, ...args] = a.argv;
    if (!program) throw new TypeError("argv is empty");
    const child = new Deno.Command(program, {
      args,
      cwd: a.cwd,
      env: a.env,
      clearEnv: true,
      stdin: a.stdin === undefined ? "null" : "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        child.kill("SIGKILL");
      } catch { /* already gone */ }
    }, a.timeoutMs);
    if (a.stdin !== undefined) {
      const w = child.stdin.getWriter();
      await w.write(new TextEncoder().encode(a.stdin)).catch(() => {});
      await w.close().catch(() => {});
    }
    const cap = { left: a.maxOutputBytes, truncated: false };
    const [stdout, stderr, status] = await Promise.all([
      collect(child.stdout, cap),
      collect(child.stderr, cap),
      child.status,
    ]);
    clearTimeout(timer);
    return { code: status.code, signal: status.signal, stdout, stderr, truncated: cap.truncated, timedOut };
  },

  async httpGet(a: HttpGetArgs): Promise<HttpGetOutcome> {
    let conn: Deno.Conn = await Deno.connect({ hostname: a.ip, port: a.port });
    const timer = setTimeout(() => {
      try {
        conn.close();
      } catch { /* closed */ }
    }, a.timeoutMs);
    try {
      if (a.tls) conn = await Deno.startTls(conn as Deno.TcpConn, { hostname: a.hostname });
      const request = [
        `GET ${a.path} HTTP/1.1`,
        `Host: ${a.hostHeader}`,
        "User-Agent: Talon-web_fetch/0.1",
        "Accept: text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.8",
        "Accept-Encoding: identity",
        "Connection: close",
        "",
        "",
      ].join("\r\n");
      await writeAll(conn, new TextEncoder().encode(request));
      return await readHttpResponse(conn, a.maxBytes);
    } catch (err) {
      if (err instanceof Deno.errors.BadResource || err instanceof Deno.errors.Interrupted) {
        throw new Error(`timed out after ${a.timeoutMs} ms`);
      }
      throw err;
    } finally {
      clearTimeout(timer);
      try {
        conn.close();
      } catch { /* closed */ }
    }
  },
} as const;

export type OpName = keyof typeof OPS;

async function collect(stream: ReadableStream<Uint8Array>, cap: { left: number; truncated: boolean }) {
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream) {
    if (cap.left <= 0) {
      cap.truncated = true;
      continue;
    }
    const part = chunk.length > cap.left ? chunk.subarray(0, cap.left) : chunk;
    if (part.length < chunk.length) cap.truncated = true;
    cap.left -= part.length;
    chunks.push(part);
  }
  const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let off = 0;
  for (const c of chunks) {
    all.set(c, off);
    off += c.length;
  }
  return new TextDecoder().decode(all);
}
