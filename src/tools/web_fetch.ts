/**
 * `web_fetch`: GET a URL and return readable text. Every hop (redirects are followed by hand) is checked:
 * http/https only, host in tools.web.allowHosts, `localhost` names refused, every DNS answer checked by the
 * SSRF guard, and the connection made to the checked address (so a second DNS answer cannot differ). The
 * request runs in a sandbox worker whose only net permission is that address and port.
 */
import { z } from "zod";
import type { ToolsConfig } from "../config/sections/tools.ts";
import { defineTool } from "./registry.ts";
import { ToolError } from "./errors.ts";
import { blockedReason, hostAllowed, isTestLoopback, parseIp } from "./net_guard.ts";
import { htmlTitle, htmlToText } from "./html_text.ts";
import type { Sandbox } from "./sandbox/sandbox.ts";
import type { HttpGetOutcome } from "./sandbox/ops.ts";

const input = z.strictObject({
  url: z.string().min(1).describe("http(s) URL to fetch."),
  maxChars: z.number().int().min(100).optional().describe(
    "Truncate the returned text to this many characters.",
  ),
});

/** Resolves a name to addresses (A and AAAA). Injected so tests never query a real DNS server. */
export type Resolver = (host: string) => Promise<string[]>;

/** The default resolver: Deno.resolveDns for A and AAAA. */
export const denoResolver: Resolver = async (host) => {
  const out: string[] = [];
  for (const type of ["A", "AAAA"] as const) {
    try {
      out.push(...await Deno.resolveDns(host, type));
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    }
  }
  return out;
};

export interface WebFetchDeps {
  config: Readonly<ToolsConfig>;
  sandbox: Sandbox;
  resolve?: Resolver;
  maxRedirects?: number;
}

/** Checks one URL and returns the address to connect to. Throws ToolError NotCapable. */
export async function checkTarget(
  url: URL,
  config: Readonly<ToolsConfig>,
  resolve: Resolver,
): Promise<{ ip: string; port: number; tls: boolean; host: string }> {
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ToolError("NotCapable", `web_fetch only fetches http and https URLs, not ${url.protocol}`);
  }
  if (url.username || url.password) {
    throw new ToolError("NotCapable", "web_fetch refuses URLs with credentials");
  }
  const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  const tls = url.protocol === "https:";
  const port = url.port ? Number(url.port) : tls ? 443 : 80;
  if (!hostAllowed(host, config.web.allowHosts)) {
    throw new ToolError("NotCapable", `net ${host} is not in tools.web.allowHosts`);
  }
  const allowLoopback = config.web.testAllowLoopback;
  const refuse = (ip: string, why: string) =>
    new ToolError("NotCapable", `web_fetch refuses ${host}${ip !== host ? ` (${ip})` : ""}: ${why} address`);
  let addresses: string[];
  if (parseIp(host)) addresses = [host];
  else {
    if (
      host === "localhost" || host.endsWith(".localhost") || host.endsWith(".local") || !host.includes(".")
    ) {
      throw new ToolError("NotCapable", `web_fetch refuses ${host}: local host name`);
    }
    try {
      addresses = await resolve(host);
    } catch (err) {
      throw new ToolError("NotFound", `cannot resolve ${host}: ${(err as Error).message}`);
    }
    if (addresses.length === 0) throw new ToolError("NotFound", `${host} has no address`);
  }
  for (const ip of addresses) {
    const why = blockedReason(ip);
    if (why && !(allowLoopback && isTestLoopback(ip))) throw refuse(ip, why);
  }
  return { ip: addresses[0]!, port, tls, host };
}

/** Creates the `web_fetch` tool. */
export function createWebFetchTool(deps: WebFetchDeps) {
  const web = deps.config.web;
  const resolve = deps.resolve ?? denoResolver;
  const maxRedirects = deps.maxRedirects ?? 5;
  return defineTool({
    name: "web_fetch",
    description: "Fetch a web page (GET) and return its readable text. Public internet addresses only.",
    group: "web",
    input,
    permissions: () => ({ net: [...web.allowHosts] }),
    async run(i, ctx) {
      let url: URL;
      try {
        url = new URL(i.url);
      } catch {
        throw new ToolError("InvalidInput", `not a valid URL: ${i.url}`);
      }
      for (let hop = 0;; hop++) {
        const t = await checkTarget(url, deps.config, resolve);
        const ipHost = t.ip.includes(":") ? `[${t.ip}]` : t.ip;
        const r = await deps.sandbox.run<HttpGetOutcome>(
          "httpGet",
          {
            ip: t.ip,
            port: t.port,
            tls: t.tls,
            hostname: t.host,
            hostHeader: url.host,
            path: url.pathname + url.search,
            maxBytes: web.maxBytes,
            timeoutMs: web.timeoutMs,
          },
          { net: [`${ipHost}:${t.port}`] },
          { signal: ctx.signal, timeoutMs: web.timeoutMs + 5000 },
        );
        const location = r.headers.location;
        if (r.status >= 300 && r.status < 400 && location) {
          if (hop >= maxRedirects) {
            throw new ToolError("Failed", `too many redirects (more than ${maxRedirects})`);
          }
          url = new URL(location, url);
          continue;
        }
        return render(url, r, i.maxChars);
      }
    },
  });
}

function render(url: URL, r: HttpGetOutcome, maxChars?: number) {
  const type = r.headers["content-type"] ?? "";
  const charset = /charset=([\w-]+)/i.exec(type)?.[1] ?? "utf-8";
  let raw: string;
  try {
    raw = new TextDecoder(charset).decode(r.body);
  } catch {
    raw = new TextDecoder().decode(r.body);
  }
  const html = /html/i.test(type) || (!type && /^\s*<(!doctype|html)/i.test(raw));
  const title = html ? htmlTitle(raw) : undefined;
  let text = html ? htmlToText(raw) : raw;
  let truncated = r.truncated;
  if (maxChars && text.length > maxChars) {
    text = text.slice(0, maxChars);
    truncated = true;
  }
  const head = `${r.status} ${url.href}${title ? `\nTitle: ${title}` : ""}`;
  return {
    content: `${head}\n\n${text}${truncated ? "\n[truncated]" : ""}`,
    isError: r.status >= 400 ? true : undefined,
    data: { url: url.href, status: r.status, contentType: type, title, truncated },
  };
}
