/**
 * `talon dashboard`: opens the Control UI signed in. The gateway hands out a one-time sign-in code
 * (`ui.signin.create`, valid once and briefly) that travels in the URL fragment, which browsers never send
 * to a server; the gateway token itself never appears in the URL.
 */
import { parseArgs } from "node:util";
import { type CliIo, type Command, EXIT } from "./io.ts";
import { gatewayClientOptions, loadCliConfig, withGateway } from "./shared.ts";

const USAGE = `Usage: talon dashboard [--no-open] [--print] [--json] [options]

Asks the running gateway for a one-time sign-in link to the Control UI and opens it in your browser
(when there is a display). The link works once and expires after a minute; the gateway token is never
part of it.

  --no-open   print the link, do not start a browser
  --print     print only the link (for scripts); implies --no-open
  --json      print {url, expiresAt}; implies --no-open
  --config <file>  --url ws://host:port/ws  --timeout <ms>

Exit codes: 0 ok, 1 the gateway refused (the admin scope is needed), 2 usage error, 69 gateway unreachable.`;

/** How the link is opened; injectable for tests. */
export interface DashboardDeps {
  /** Starts a browser on `url`; resolves false when that failed. */
  open(url: string, os: typeof Deno.build.os): Promise<boolean>;
  os: typeof Deno.build.os;
}

/** True when a browser can be shown: macOS and Windows always, elsewhere only with an X11/Wayland display. */
export function hasDisplay(
  os: typeof Deno.build.os,
  env: Readonly<Record<string, string | undefined>>,
): boolean {
  if (os === "darwin" || os === "windows") return true;
  return !!(env.DISPLAY || env.WAYLAND_DISPLAY);
}

/** The gateway's HTTP base URL: from `--url` (ws → http, path dropped) or from the config's bind and port. */
export function gatewayHttpBase(
  gateway: { bind: string; port: number },
  wsUrl?: string,
): string {
  if (wsUrl) {
    const u = new URL(wsUrl);
    if (u.protocol !== "ws:" && u.protocol !== "wss:") {
      throw new TypeError(`--url must be ws:// or wss://, got ${wsUrl}`);
    }
    return `${u.protocol === "wss:" ? "https:" : "http:"}//${u.host}`;
  }
  const host = gateway.bind === "0.0.0.0" || gateway.bind === "::"
    ? "127.0.0.1"
    : gateway.bind.includes(":")
    ? `[${gateway.bind}]`
    : gateway.bind;
  return `http://${host}:${gateway.port}`;
}

/** Starts the platform's URL opener (open, xdg-open, or start on Windows) without a shell. */
export async function openInBrowser(url: string, os: typeof Deno.build.os): Promise<boolean> {
  const [cmd, args] = os === "darwin"
    ? ["open", [url]]
    : os === "windows"
    ? ["rundll32", ["url.dll,FileProtocolHandler", url]]
    : ["xdg-open", [url]];
  try {
    const child = new Deno.Command(cmd, { args, stdin: "null", stdout: "null", stderr: "null" }).spawn();
    return (await child.status).success;
  } catch {
    return false;
  }
}

const FRAGMENT = /^#signin=[A-Za-z0-9_-]{16,}$/;

/** Runs `talon dashboard`. */
export async function runDashboard(
  argv: string[],
  io: CliIo,
  deps: DashboardDeps = { open: openInBrowser, os: Deno.build.os },
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      ...gatewayClientOptions,
      "no-open": { type: "boolean", default: false },
      print: { type: "boolean", default: false },
    },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length) {
    io.err(`talon dashboard: unexpected argument "${positionals[0]}"\n\n${USAGE}`);
    return EXIT.usage;
  }
  let base: string;
  try {
    base = gatewayHttpBase((await loadCliConfig(io, values.config)).config.gateway, values.url);
  } catch (err) {
    if (!(err instanceof TypeError)) throw err;
    io.err(`talon dashboard: ${err.message}`);
    return EXIT.usage;
  }
  return await withGateway(io, "dashboard", values, async (client) => {
    const r = await client.request<{ fragment: string; expiresAt: number }>("ui.signin.create", {});
    if (typeof r.fragment !== "string" || !FRAGMENT.test(r.fragment)) {
      io.err("talon dashboard: the gateway answered with an unexpected sign-in fragment");
      return EXIT.failure;
    }
    const url = `${base}/${r.fragment}`;
    const wantOpen = !values["no-open"] && !values.print && !values.json;
    const opened = wantOpen && hasDisplay(deps.os, io.env) ? await deps.open(url, deps.os) : false;
    if (values.json) {
      io.out(JSON.stringify({ url, expiresAt: r.expiresAt }, null, 2));
    } else if (values.print) {
      io.out(url);
    } else {
      const secs = Math.max(0, Math.round((r.expiresAt - Date.now()) / 1000));
      io.out(`Control UI sign-in link (works once, for ${secs} s):\n  ${url}`);
      if (opened) io.out("Opened it in your browser.");
      else if (wantOpen) io.out("No browser could be started here; open the link yourself.");
    }
    return EXIT.ok;
  });
}

export const dashboardCommand: Command = {
  name: "dashboard",
  summary: "Open the Control UI with a one-time sign-in link",
  usage: USAGE,
  run: (argv, io) => runDashboard(argv, io),
};
