/**
 * Network probes of `talon onboard`: a local Ollama, a provider key (one real SDK call), a Telegram bot
 * token (getMe) and a Discord bot token (GET /users/@me). Every endpoint is injectable so tests point them
 * at fakes on 127.0.0.1.
 */
import OpenAI from "openai";
import Anthropic from "@anthropic-ai/sdk";

/** The result of one probe: ok with a short detail for the user, or a reason it failed. */
export type ProbeResult = { ok: true; detail: string; models?: string[] } | { ok: false; reason: string };

export const OLLAMA_URL = "http://127.0.0.1:11434";
export const TELEGRAM_API_ROOT = "https://api.telegram.org";
export const DISCORD_API_ROOT = "https://discord.com/api";

const TIMEOUT_MS = 10_000;

/** Asks a local Ollama for its models (GET /api/tags). Undefined when nothing answers like Ollama. */
export async function detectOllama(
  opts: { url?: string; timeoutMs?: number } = {},
): Promise<{ url: string; models: string[] } | undefined> {
  const url = (opts.url ?? OLLAMA_URL).replace(/\/+$/, "");
  try {
    const res = await fetch(`${url}/api/tags`, { signal: AbortSignal.timeout(opts.timeoutMs ?? 1500) });
    if (!res.ok) {
      await res.body?.cancel();
      return undefined;
    }
    const body = await res.json() as { models?: Array<{ name?: unknown; model?: unknown }> };
    if (!body || !Array.isArray(body.models)) return undefined;
    const models = body.models.map((m) => String(m.name ?? m.model ?? "")).filter((m) => m.length > 0);
    return { url, models };
  } catch {
    return undefined;
  }
}

/** Which wire API a provider key is tested with. */
export type ProbeApi = "openai" | "anthropic";

/**
 * Tests a provider key with one real call through the official SDK: the model list, or for an
 * OpenAI-compatible server without one, a 1-token completion of `model`.
 */
export async function probeProvider(opts: {
  api: ProbeApi;
  apiKey?: string;
  baseUrl?: string;
  model?: string;
}): Promise<ProbeResult> {
  try {
    if (opts.api === "anthropic") {
      const client = new Anthropic({
        apiKey: opts.apiKey ?? "",
        baseURL: opts.baseUrl,
        maxRetries: 0,
        timeout: TIMEOUT_MS,
        logLevel: "off",
      });
      const page = await client.models.list({ limit: 100 });
      const models = page.data.map((m) => m.id);
      return { ok: true, detail: `key accepted (${models.length} models)`, models };
    }
    const client = new OpenAI({
      apiKey: opts.apiKey || "none",
      baseURL: opts.baseUrl,
      maxRetries: 0,
      timeout: TIMEOUT_MS,
      logLevel: "off",
    });
    try {
      const page = await client.models.list();
      const models = page.data.map((m) => m.id);
      return { ok: true, detail: `key accepted (${models.length} models)`, models };
    } catch (err) {
      if (!(err instanceof OpenAI.NotFoundError) || !opts.model) throw err;
      await client.chat.completions.create({
        model: opts.model,
        messages: [{ role: "user", content: "ping" }],
        max_tokens: 1,
      });
      return { ok: true, detail: "a 1-token completion succeeded" };
    }
  } catch (err) {
    return { ok: false, reason: describeProbeError(err) };
  }
}

function describeProbeError(err: unknown): string {
  const status = (err as { status?: unknown }).status;
  if (status === 401 || status === 403) return `the key was refused (HTTP ${status})`;
  if (typeof status === "number") return `the provider answered HTTP ${status}: ${(err as Error).message}`;
  if (err instanceof Error) {
    const cause = (err as { cause?: unknown }).cause;
    return cause instanceof Error ? `${err.message} (${cause.message})` : err.message;
  }
  return String(err);
}

/** Validates a Telegram bot token with getMe; the detail names the bot. */
export async function probeTelegram(token: string, apiRoot = TELEGRAM_API_ROOT): Promise<ProbeResult> {
  const root = apiRoot.replace(/\/+$/, "");
  try {
    const res = await fetch(`${root}/bot${token}/getMe`, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    const body = await res.json().catch(() => ({})) as {
      ok?: boolean;
      description?: string;
      result?: { username?: string };
    };
    if (!res.ok || body.ok !== true) {
      return { ok: false, reason: `Telegram refused the token: ${body.description ?? `HTTP ${res.status}`}` };
    }
    return { ok: true, detail: `bot @${body.result?.username ?? "?"}` };
  } catch (err) {
    return { ok: false, reason: `Telegram is not reachable: ${(err as Error).message}` };
  }
}

/** Validates a Discord bot token with GET /users/@me (the REST side of a gateway login). */
export async function probeDiscord(token: string, apiRoot = DISCORD_API_ROOT): Promise<ProbeResult> {
  const root = apiRoot.replace(/\/+$/, "");
  try {
    const res = await fetch(`${root}/v10/users/@me`, {
      headers: { authorization: `Bot ${token}` },
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    const body = await res.json().catch(() => ({})) as { username?: string; message?: string };
    if (!res.ok) {
      return { ok: false, reason: `Discord refused the token: ${body.message ?? `HTTP ${res.status}`}` };
    }
    return { ok: true, detail: `bot ${body.username ?? "?"}` };
  } catch (err) {
    return { ok: false, reason: `Discord is not reachable: ${(err as Error).message}` };
  }
}
