/**
 * Entry of a background-process worker: starts one child process with the worker's (narrow) run
 * permission and answers `poll`, `read` and `kill` messages about it. Output is kept up to a cap per stream.
 */
interface Start {
  type: "start";
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  maxOutputBytes: number;
  stdin?: string;
}
type Msg = Start | { type: "poll" } | { type: "read"; stream: "stdout" | "stderr"; offset: number } | {
  type: "kill";
  signal?: Deno.Signal;
};

interface WorkerScope {
  onmessage: ((e: MessageEvent<Msg>) => void) | null;
  postMessage(data: unknown): void;
}
const scope = self as unknown as WorkerScope;

let child: Deno.ChildProcess | undefined;
let status: Deno.CommandStatus | undefined;
const out = { stdout: "", stderr: "", dropped: { stdout: 0, stderr: 0 } };
let cap = 200_000;
/** How long output may still arrive after the child exited before the exit is reported. */
const OUTPUT_TAIL_MS = 1_000;

async function pump(stream: ReadableStream<Uint8Array>, key: "stdout" | "stderr") {
  const decoder = new TextDecoder();
  for await (const chunk of stream) {
    out[key] += decoder.decode(chunk, { stream: true });
    if (out[key].length > cap) {
      out.dropped[key] += out[key].length - cap;
      out[key] = out[key].slice(out[key].length - cap);
    }
  }
}

function state() {
  return {
    running: status === undefined,
    code: status?.code ?? null,
    signal: status?.signal ?? null,
    stdoutBytes: out.stdout.length + out.dropped.stdout,
    stderrBytes: out.stderr.length + out.dropped.stderr,
  };
}

scope.onmessage = (e) => {
  const m = e.data;
  try {
    if (m.type === "start") {
      cap = m.maxOutputBytes;
      const [program, ...args] = m.argv;
      child = new Deno.Command(program!, {
        args,
        cwd: m.cwd,
        env: m.env,
        clearEnv: true,
        stdin: m.stdin === undefined ? "null" : "piped",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      if (m.stdin !== undefined) {
        const w = child.stdin.getWriter();
        w.write(new TextEncoder().encode(m.stdin)).then(() => w.close()).catch(() => {});
      }
      const done = Promise.all([pump(child.stdout, "stdout"), pump(child.stderr, "stderr")]);
      // The exit is reported once the output is read to its end, or at most OUTPUT_TAIL_MS after the
      // exit: a grandchild that outlives the child (a shell's `cmd &`, a sandbox init caught mid-setup)
      // can hold the pipes open, and the process must not look "running" for as long as it lives.
      child.status.then(async (s) => {
        let timer: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([
          done.catch(() => {}),
          new Promise((r) => timer = setTimeout(r, OUTPUT_TAIL_MS)),
        ]);
        clearTimeout(timer);
        status = s;
      });
      scope.postMessage({ ok: true, value: { pid: child.pid } });
    } else if (m.type === "poll") {
      scope.postMessage({ ok: true, value: state() });
    } else if (m.type === "read") {
      const text = out[m.stream];
      const start = Math.max(0, m.offset - out.dropped[m.stream]);
      scope.postMessage({
        ok: true,
        value: { ...state(), text: text.slice(start), next: text.length + out.dropped[m.stream] },
      });
    } else if (m.type === "kill") {
      try {
        if (status === undefined) child?.kill(m.signal ?? "SIGTERM");
      } catch { /* exited; its output is still being read */ }
      scope.postMessage({ ok: true, value: state() });
    }
  } catch (err) {
    const x = err instanceof Error ? err : new Error(String(err));
    scope.postMessage({ ok: false, error: { name: x.name, message: x.message } });
  }
};
