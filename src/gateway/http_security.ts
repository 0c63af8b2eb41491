/** HTTP-level guards: auth middleware, tokens-in-URL refusal, Origin and Host checks. */
import type { Context, MiddlewareHandler } from "hono";
import type { Scope } from "../store/credentials.ts";
import { type Authenticator, bearerToken } from "./auth.ts";
import { hasScope } from "./methods/registry.ts";
import type { Credential } from "../store/credentials.ts";

export interface GatewayEnv {
  Bindings: { remoteAddr: string };
  Variables: { credential: Credential };
}

/**
 * Query parameters that look like credentials (also as the last part of a dotted or snake name:
 * `hub.verify_token`, `client_secret`). A request carrying one is refused.
 */
const SECRET_QUERY = /(^|[._-])(token|access_token|auth|authorization|api_key|apikey|key|password|secret)$/i;

/**
 * The one exemption: WhatsApp's webhook verify handshake (GET `/whatsapp/<account>`) carries
 * `hub.verify_token` in the query string by Meta's design; that route compares it in constant time.
 */
function exempt(method: string, path: string, name: string): boolean {
  return method === "GET" && name === "hub.verify_token" && /^\/whatsapp\/[\w-]{1,64}\/?$/.test(path);
}

/** The refusal of a request whose URL carries a credential-looking query parameter, if it does. */
function tokenInUrl(c: Context<GatewayEnv>): Response | undefined {
  if (!c.req.url.includes("?")) return undefined;
  const url = new URL(c.req.url);
  for (const name of url.searchParams.keys()) {
    if (SECRET_QUERY.test(name) && !exempt(c.req.method, url.pathname, name)) {
      return c.json({
        error: {
          code: "INVALID_REQUEST",
          message: `Refused: credentials are never accepted in a URL (query parameter "${name}"). ` +
            "Send them in the Authorization header or the WebSocket connect frame.",
        },
      }, 400);
    }
  }
}

/**
 * A CORS preflight (OPTIONS) is answered 204 without auth and without granting cross-origin access, and a
 * browser request from a foreign Origin (or through a foreign Host) is refused 403.
 */
function browserGuard(
  c: Context<GatewayEnv>,
  opts: { bind: string; allowedOrigins: readonly string[] },
): Response | undefined {
  if (c.req.method === "OPTIONS") return c.body(null, 204, { allow: "GET, HEAD, POST, OPTIONS" });
  const origin = checkOrigin(c.req.header("origin"), c.req.header("host"), opts);
  if (!origin.ok) {
    return c.json({ error: { code: "FORBIDDEN", message: `Forbidden: ${origin.reason}` } }, 403);
  }
}

/**
 * The first middleware of every request, before any auth: refuses a URL carrying a credential-looking
 * query parameter (400), answers a CORS preflight and refuses a foreign browser origin (browserGuard), and
 * tells `onStatus` every response's status. Neither refusal reaches the authenticator, so neither counts as
 * a failed login. One middleware rather than three: each is a suspended frame, promise and closure for
 * the whole life of a request, and a /v1 turn lives as long as its model call.
 */
export function httpGate(
  opts: { bind: string; allowedOrigins: readonly string[]; onStatus: (status: number) => void },
): MiddlewareHandler<GatewayEnv> {
  return async (c, next) => {
    const refused = tokenInUrl(c) ?? browserGuard(c, opts);
    if (refused) {
      opts.onStatus(refused.status);
      return refused;
    }
    await next();
    opts.onStatus(c.res.status);
  };
}

/** Requires `Authorization: Bearer <token>` with at least `scope`. */
export function requireAuth(auth: Authenticator, scope: Scope): MiddlewareHandler<GatewayEnv> {
  return async (c, next) => {
    const result = await auth.authenticate(bearerToken(c.req.header("authorization")), remoteAddr(c), "http");
    if (!result.ok) {
      if (result.reason === "rate_limited") {
        c.header("Retry-After", String(Math.ceil((result.retryAfterMs ?? 1000) / 1000)));
        return c.json({
          error: { code: "RATE_LIMITED", message: "Too many failed attempts", retryable: true },
        }, 429);
      }
      c.header("WWW-Authenticate", 'Bearer realm="talon"');
      return c.json({
        error: {
          code: "UNAUTHORIZED",
          message: result.reason === "missing"
            ? "Unauthorized: send Authorization: Bearer <gateway token>"
            : "Unauthorized: gateway token mismatch",
        },
      }, 401);
    }
    if (result.credential.kind === "signin") {
      return c.json({
        error: { code: "FORBIDDEN", message: "A one-time sign-in code only signs in the Control UI" },
      }, 403);
    }
    if (!hasScope(new Set(result.credential.scopes), scope)) {
      return c.json(
        { error: { code: "FORBIDDEN", message: `This endpoint requires the ${scope} scope` } },
        403,
      );
    }
    c.set("credential", result.credential);
    await next();
  };
}

export function remoteAddr(c: Context<GatewayEnv>): string {
  return c.env?.remoteAddr ?? "unknown";
}

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);

/**
 * A browser (a request with Origin) may open the WebSocket only from the gateway's own origin or an
 * allowed origin, and only through a Host that is loopback, the bind address or an allowed origin's
 * host (so DNS rebinding cannot make a foreign page same-origin). Clients without Origin are not browsers.
 */
export function checkOrigin(
  origin: string | undefined,
  host: string | undefined,
  opts: { bind: string; allowedOrigins: readonly string[] },
): { ok: true } | { ok: false; reason: string } {
  if (origin === undefined) return { ok: true };
  const allowed = opts.allowedOrigins.map((o) => new URL(o).origin);
  if (allowed.includes(origin)) return { ok: true };
  if (!host) return { ok: false, reason: "missing Host header" };
  const hostname = host.replace(/:\d+$/, "").toLowerCase();
  const hostOk = LOOPBACK_HOSTS.has(hostname) || hostname === opts.bind.toLowerCase() ||
    allowed.some((o) => new URL(o).host === host);
  if (!hostOk) return { ok: false, reason: `Host ${host} is not this gateway` };
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return { ok: false, reason: "malformed Origin" };
  }
  if (parsed.host === host && (parsed.protocol === "http:" || parsed.protocol === "https:")) {
    return { ok: true };
  }
  return { ok: false, reason: `Origin ${origin} is not allowed` };
}
