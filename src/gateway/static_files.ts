/** Serves the Control UI from web/ (embedded in the compiled binary with `--include web`). */
import type { Context } from "hono";

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

/** Returns a handler serving files below `root` (a directory URL ending in `/`); `/` serves index.html. */
export function staticFiles(root: URL): (c: Context) => Promise<Response> {
  return async (c) => {
    const pathname = decodeURIComponent(new URL(c.req.url).pathname);
    const rel = pathname === "/" ? "index.html" : pathname.replace(/^\/+/, "");
    if (
      rel.split("/").some((seg) => seg === ".." || seg === "." || seg.startsWith(".")) || rel.includes("\\")
    ) {
      return c.json({ error: { code: "NOT_FOUND", message: "Not found" } }, 404);
    }
    const file = new URL(rel, root);
    if (!file.href.startsWith(root.href)) {
      return c.json({ error: { code: "NOT_FOUND", message: "Not found" } }, 404);
    }
    let body: Uint8Array;
    try {
      body = await Deno.readFile(file);
    } catch {
      // Client-side routes fall back to the app shell.
      if (!rel.includes(".")) {
        try {
          body = await Deno.readFile(new URL("index.html", root));
          return respond(body, "html");
        } catch { /* no UI */ }
      }
      return c.json({ error: { code: "NOT_FOUND", message: `Not found: ${pathname}` } }, 404);
    }
    return respond(body, rel.slice(rel.lastIndexOf(".") + 1));
  };
}

function respond(body: Uint8Array, ext: string): Response {
  return new Response(body as Uint8Array<ArrayBuffer>, {
    headers: {
      "content-type": TYPES[ext] ?? "application/octet-stream",
      "cache-control": ext === "html" ? "no-cache" : "public, max-age=300",
      "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer",
      ...(ext === "html"
        ? {
          "content-security-policy":
            "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
          "x-frame-options": "DENY",
        }
        : {}),
    },
  });
}
