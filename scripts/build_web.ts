/**
 * Bundles the Control UI (web/src/main.tsx, Preact) into web/build/app.js with `deno bundle`.
 * The bundle is committed so the gateway (and the compiled binary) serves it without a build step.
 *
 *   deno run -A scripts/build_web.ts          write web/build/app.js
 *   deno run -A scripts/build_web.ts --check  exit 1 when the committed bundle is not what the sources give
 */
import { parseArgs } from "node:util";

export const WEB_ENTRY = new URL("../web/src/main.tsx", import.meta.url);
export const WEB_BUNDLE = new URL("../web/build/app.js", import.meta.url);

/** Bundles the UI into `out` (a file URL); throws with deno's output when bundling fails. */
export async function bundleWeb(out: URL = WEB_BUNDLE): Promise<void> {
  await Deno.mkdir(new URL(".", out), { recursive: true });
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "bundle",
      "--quiet",
      "--platform",
      "browser",
      "--format",
      "esm",
      "--minify",
      "-o",
      out.pathname,
      WEB_ENTRY.pathname,
    ],
    cwd: new URL("..", import.meta.url).pathname,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (code !== 0) throw new Error(`deno bundle failed:\n${new TextDecoder().decode(stderr)}`);
}

/** True when the committed bundle equals a fresh build. */
export async function bundleIsCurrent(): Promise<{ current: boolean; fresh: string; committed: string }> {
  const dir = await Deno.makeTempDir({ prefix: "talon-web-" });
  try {
    const out = new URL(`file://${dir}/app.js`);
    await bundleWeb(out);
    const fresh = await Deno.readTextFile(out);
    const committed = await Deno.readTextFile(WEB_BUNDLE).catch(() => "");
    return { current: fresh === committed, fresh, committed };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) {
  const { values } = parseArgs({ args: Deno.args, options: { check: { type: "boolean" } } });
  if (values.check) {
    const r = await bundleIsCurrent();
    if (!r.current) {
      console.error("web/build/app.js is out of date: run `deno run -A scripts/build_web.ts` and commit it.");
      Deno.exit(1);
    }
    console.log("web/build/app.js is up to date.");
  } else {
    await bundleWeb();
    const size = (await Deno.stat(WEB_BUNDLE)).size;
    console.log(`Wrote web/build/app.js (${(size / 1024).toFixed(1)} KB)`);
  }
}
