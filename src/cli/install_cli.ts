/**
 * `talon install-cli [--dir D] [--remove] [--force]`: puts a real `talon` command on PATH for people who run
 * Talon from source (`deno task talon:install` runs it). The command is a small shell script that runs this
 * checkout's main.ts with the same Deno — or through `npx -y deno@<version>` when Deno came from npx, whose
 * cache may be cleared — keeping the caller's working directory and never fetching code (`--cached-only`).
 */
import { parseArgs } from "node:util";
import { type CliIo, type Command, EXIT } from "./io.ts";
import { isThrowAwayPath, shellWord, SHIM_MARKER } from "./invocation.ts";
import { resolveProgram } from "../security/program_path.ts";
import { GATEWAY_FLAGS } from "../core/runtime_flags.ts";

const SUMMARY = "Put a talon command on PATH for this source checkout";
const USAGE = `Usage: talon install-cli [--dir <dir>] [--force] [--remove]

Writes <dir>/talon (default $TALON_BIN_DIR, else ~/.local/bin/talon): a command that runs this checkout of
Talon, so "talon <command>" works from any directory. From source, run it as: deno task talon:install
  --dir <dir>   where to put the command (a directory on your PATH)
  --force       replace a "talon" there that this command did not write
  --remove      remove the command again`;

/** The deno flags the CLI runs with; the same as deno.json's "talon" task plus --cached-only. */
const RUN_FLAGS = ["--cached-only", "--allow-all", "--unstable-worker-options", ...GATEWAY_FLAGS];

/** Where things are; tests pass their own. */
export interface InstallCliDeps {
  /** The checkout (directory of deno.json and main.ts). */
  sourceDir: string;
  execPath: string;
  denoVersion: string;
  standalone: boolean;
  /** Runs the written command once (`talon version`) to prove it works; returns its exit code and output. */
  check(path: string): Promise<{ code: number; output: string }>;
}

/** The text of the shim for `sourceDir`, run by `runner` (words already shell-quoted). */
export function shimText(sourceDir: string, runner: string): string {
  return [
    "#!/bin/sh",
    SHIM_MARKER,
    `# source: ${sourceDir}`,
    "# Written by `deno task talon:install`; remove it with `talon install-cli --remove`.",
    `exec ${runner} run ${RUN_FLAGS.join(" ")} --config ${shellWord(`${sourceDir}/deno.json`)} ` +
    `${shellWord(`${sourceDir}/main.ts`)} "$@"`,
    "",
  ].join("\n");
}

/** How the shim starts Deno: this deno's real path, or npx when this deno lives in npx's throw-away cache. */
export function shimRunner(d: Pick<InstallCliDeps, "execPath" | "denoVersion">, env: CliIo["env"]): string {
  if (!isThrowAwayPath(d.execPath)) return shellWord(Deno.realPathSync(d.execPath));
  const npx = resolveProgram("npx", { path: env.PATH, cwd: "/" });
  if (!npx) throw new Error("Deno runs from npx's cache but npx is not on PATH");
  return `${shellWord(npx)} -y deno@${d.denoVersion}`;
}

export function createInstallCliCommand(deps: InstallCliDeps): Command {
  return {
    name: "install-cli",
    summary: SUMMARY,
    usage: USAGE,
    async run(argv, io) {
      const { values, positionals } = parseArgs({
        args: argv,
        options: { dir: { type: "string" }, force: { type: "boolean" }, remove: { type: "boolean" } },
        allowPositionals: true,
      });
      if (positionals.length) {
        return fail(io, EXIT.usage, `unexpected argument "${positionals[0]}"\n\n${USAGE}`);
      }
      if (deps.standalone) {
        return fail(
          io,
          EXIT.usage,
          "this is the compiled binary: it is the talon command. Put it on PATH " +
            "(scripts/install.sh puts it in /usr/local/bin).",
        );
      }
      const dir = values.dir ?? io.env.TALON_BIN_DIR ??
        (io.env.HOME ? `${io.env.HOME}/.local/bin` : undefined);
      if (!dir) return fail(io, EXIT.usage, "no HOME to put ~/.local/bin in; give --dir <dir>");
      const target = `${dir.replace(/\/+$/, "")}/talon`;
      const existing = await kindOf(target);
      if (values.remove) {
        if (existing === "none") return fail(io, EXIT.failure, `there is no talon command at ${target}`);
        if (existing === "other") {
          return fail(io, EXIT.failure, `${target} was not written by talon install-cli; leaving it alone`);
        }
        await Deno.remove(target);
        io.out(`Removed ${target}.`);
        return EXIT.ok;
      }
      if (existing === "other" && !values.force) {
        return fail(
          io,
          EXIT.failure,
          `${target} exists and was not written by talon install-cli; ` +
            "use --force to replace it, or --dir to put talon elsewhere",
        );
      }
      let runner: string;
      try {
        runner = shimRunner(deps, io.env);
      } catch (err) {
        return fail(io, EXIT.failure, (err as Error).message);
      }
      await Deno.mkdir(dir, { recursive: true });
      const tmp = `${target}.tmp-${crypto.randomUUID().slice(0, 8)}`;
      await Deno.writeTextFile(tmp, shimText(deps.sourceDir, runner), { mode: 0o755 });
      await Deno.chmod(tmp, 0o755);
      await Deno.rename(tmp, target);
      const check = await deps.check(target);
      if (check.code !== 0) {
        return fail(
          io,
          EXIT.failure,
          `wrote ${target}, but "${target} version" failed ` +
            `(exit ${check.code}): ${check.output.trim().slice(0, 400)}\nRun "deno task cache" in ` +
            `${deps.sourceDir} and try again.`,
        );
      }
      io.out(`Installed ${target}: runs ${deps.sourceDir}/main.ts with ${runner}.`);
      const onPath = resolveProgram("talon", { path: io.env.PATH, cwd: "/" });
      if (onPath !== (await Deno.realPath(target))) {
        io.out(
          onPath
            ? `Another talon comes first on your PATH (${onPath}); put ${dir} before it.`
            : `${dir} is not on your PATH yet. Add it: echo 'export PATH="${dir}:$PATH"' >> ~/.profile ` +
              "(then open a new shell).",
        );
      } else {
        io.out('Try it: talon status (or "talon --help").'); // the shim is on PATH: "talon" is right
      }
      return EXIT.ok;
    },
  };
}

/** Whether `path` is free, our shim (for any checkout), or something else. */
async function kindOf(path: string): Promise<"none" | "ours" | "other"> {
  try {
    await Deno.lstat(path);
  } catch {
    return "none";
  }
  try {
    const head = new TextDecoder().decode((await Deno.readFile(path)).subarray(0, 4096));
    return head.split("\n").includes(SHIM_MARKER) ? "ours" : "other";
  } catch {
    return "other";
  }
}

function fail(io: CliIo, code: number, message: string): number {
  io.err(`talon install-cli: ${message}`);
  return code;
}

/** The command with the real process's facts. */
export const installCliCommand: Command = {
  name: "install-cli",
  summary: SUMMARY,
  usage: USAGE,
  run(argv, io) {
    const sourceDir = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");
    return createInstallCliCommand({
      sourceDir,
      execPath: Deno.execPath(),
      denoVersion: Deno.version.deno,
      standalone: Deno.build.standalone,
      async check(path) {
        const out = await new Deno.Command(path, { args: ["version"], stdout: "piped", stderr: "piped" })
          .output();
        const dec = new TextDecoder();
        return { code: out.code, output: dec.decode(out.stdout) + dec.decode(out.stderr) };
      },
    }).run(argv, io);
  },
};
