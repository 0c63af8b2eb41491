/**
 * Serves the Control UI from web/ (embedded in the compiled binary with `--include web`).
 *
 * The shell (index.html) is never cached and names its script and stylesheet with a content hash
 * (`/build/app.js?v=<hash>`); a request carrying the current hash is cached for a year (`immutable`), any
 * other for five minutes. Text assets are sent brotli- or gzip-compressed when the client accepts it
 * (`Vary: Accept-Encoding`); the compressed bytes are computed once per file version.
 */
import type { Context } from "hono";
import { brotliCompressSync, constants as zlib, gzipSync } from "node:zlib";

const TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  mjs: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  json: "application/json",
  svg: "image/svg+xml",
  png: "image/png",
  ico: "image/x-icon",
  webmanifest: "application/manifest+json",
  txt: "text/plain; charset=utf-8",
};
const COMPRESSIBLE = new Set(["html", "js", "mjs", "css", "json", "svg", "webmanifest", "txt"]);
/** Assets the shell names with their content hash. */
const HASHED = ["/build/app.js", "/app.css"];
const YEAR = "public, max-age=31536000, immutable";
const CSP =
  "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'";

interface Asset {
  /** mtime and size of the file (and, for the shell, the hashes it names). */
  version: string;
  body: Uint8Array;
  hash: string;
  br?: Uint8Array;
  gzip?: Uint8Array;
}

/** The encoding to send for an `Accept-Encoding` header: brotli first, then gzip, else none. */
export function pickEncoding(accept: string | undefined): "br" | "gzip" | undefined {
  const offered = new Map<string, number>();
  for (const part of (accept ?? "").toLowerCase().split(",")) {
    const [name, ...params] = part.trim().split(";");
    if (!name) continue;
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    offered.set(name.trim(), q === undefined ? 1 : Number(q));
  }
  const ok = (n: string) => (offered.get(n) ?? offered.get("*") ?? 0) > 0;
  return ok("br") ? "br" : ok("gzip") ? "gzip" : undefined;
}

async function sha256(bytes: Uint8Array): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>));
  return [...d.slice(0, 6)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Returns a handler serving files below `root` (a directory URL ending in `/`); `/` serves index.html. */
export function staticFiles(root: URL): (c: Context) => Promise<Response> {
  const cache = new Map<string, Asset>();

  /** The file's bytes and hash, re-read only when its mtime or size changed. */
  const load = async (rel: string): Promise<Asset | undefined> => {
    const file = new URL(rel, root);
    const st = await Deno.stat(file).catch(() => undefined);
    if (!st?.isFile) return undefined;
    const named = rel === "index.html" ? await Promise.all(HASHED.map((r) => load(r.slice(1)))) : [];
    const version = [st.mtime?.getTime(), st.size, ...named.map((a) => a?.hash)].join(":");
    const hit = cache.get(rel);
    if (hit?.version === version) return hit;
    let body: Uint8Array = await Deno.readFile(file);
    if (rel === "index.html") body = withHashes(body, named);
    const asset: Asset = { version, body, hash: await sha256(body) };
    cache.set(rel, asset);
    return asset;
  };

  const withHashes = (html: Uint8Array, named: (Asset | undefined)[]): Uint8Array => {
    let text = new TextDecoder().decode(html);
    HASHED.forEach((ref, i) => {
      const a = named[i];
      if (a) text = text.replaceAll(`"${ref}"`, `"${ref}?v=${a.hash}"`);
    });
    return new TextEncoder().encode(text);
  };

  return async (c) => {
    const url = new URL(c.req.url);
    const pathname = decodeURIComponent(url.pathname);
    let rel = pathname === "/" ? "index.html" : pathname.replace(/^\/+/, "");
    if (
      rel.split("/").some((seg) => seg === ".." || seg === "." || seg.startsWith(".")) || rel.includes("\\")
    ) {
      return c.json({ error: { code: "NOT_FOUND", message: "Not found" } }, 404);
    }
    if (!new URL(rel, root).href.startsWith(root.href)) {
      return c.json({ error: { code: "NOT_FOUND", message: "Not found" } }, 404);
    }
    let asset = await load(rel);
    // Client-side routes fall back to the app shell.
    if (!asset && !rel.includes(".")) {
      rel = "index.html";
      asset = await load(rel);
    }
    if (!asset) return c.json({ error: { code: "NOT_FOUND", message: `Not found: ${pathname}` } }, 404);
    const ext = rel.slice(rel.lastIndexOf(".") + 1);
    const v = url.searchParams.get("v");
    const cacheControl = ext === "html" ? "no-cache" : v && v === asset.hash ? YEAR : "public, max-age=300";
    const headers: Record<string, string> = {
      "content-type": TYPES[ext] ?? "application/octet-stream",
      "cache-control": cacheControl,
      "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer",
      ...(ext === "html" ? { "content-security-policy": CSP, "x-frame-options": "DENY" } : {}),
    };
    let body = asset.body;
    if (COMPRESSIBLE.has(ext) && asset.body.length >= 1024) {
      headers["vary"] = "Accept-Encoding";
      const enc = pickEncoding(c.req.header("accept-encoding"));
      if (enc === "br") {
        asset.br ??= brotliCompressSync(asset.body, {
          params: { [zlib.BROTLI_PARAM_QUALITY]: 10, [zlib.BROTLI_PARAM_SIZE_HINT]: asset.body.length },
        });
        body = asset.br;
      } else if (enc === "gzip") {
        asset.gzip ??= gzipSync(asset.body, { level: 9 });
        body = asset.gzip;
      }
      if (enc) headers["content-encoding"] = enc;
    }
    return new Response(body as Uint8Array<ArrayBuffer>, { headers });
  };
}
