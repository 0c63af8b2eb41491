/**
 * The interactive side of `talon onboard`: questions asked through a small Prompter interface
 * (npm:@clack/prompts in a terminal, a scripted prompter in tests), turned into OnboardAnswers.
 */
import { toE164 } from "../core/phone.ts";
import * as clack from "@clack/prompts";
import type { Env } from "../config/load.ts";
import {
  DEFAULT_MODELS,
  type OnboardAnswers,
  parseOwnerIds,
  type ProviderKind,
  type SecretRef,
} from "./onboard.ts";
import { detectOllama } from "./onboard_probe.ts";

/** The questions the wizard can ask. Each rejects with WizardCancelled when the user cancels. */
export interface Prompter {
  intro(title: string): void;
  note(message: string, title?: string): void;
  outro(message: string): void;
  select<T extends string>(
    message: string,
    options: Array<{ value: T; label: string; hint?: string }>,
    initial?: T,
  ): Promise<T>;
  text(
    message: string,
    opts?: { initial?: string; placeholder?: string; optional?: boolean },
  ): Promise<string>;
  password(message: string): Promise<string>;
  confirm(message: string, initial?: boolean): Promise<boolean>;
  /** Shows a step in progress; the returned function ends it with a message (failed when ok is false). */
  spin(message: string): (message: string, ok: boolean) => void;
}

/** The user cancelled the wizard (Ctrl+C / Esc). */
export class WizardCancelled extends Error {
  override name = "WizardCancelled";
  constructor() {
    super("Onboarding cancelled; nothing was written.");
  }
}

export interface WizardContext {
  env: Env;
  ollamaUrl?: string;
  /** Provider ids already in talon.json (offers "keep"). */
  existingProviders: string[];
  /** Whether installing a systemd service is possible here. */
  canInstallService: boolean;
  envFile: string;
}

type Choice = ProviderKind | "keep";

const KEY_ENV: Record<"openai" | "anthropic", string> = {
  openai: "OPENAI_API_KEY",
  anthropic: "ANTHROPIC_API_KEY",
};

/** Asks the onboarding questions. */
export async function askOnboarding(p: Prompter, ctx: WizardContext): Promise<OnboardAnswers> {
  const ollama = await detectOllama({ url: ctx.ollamaUrl });
  const options: Array<{ value: Choice; label: string; hint?: string }> = [];
  if (ollama) {
    options.push({
      value: "ollama",
      label: `Ollama at ${ollama.url}`,
      hint: `${ollama.models.length} local model${ollama.models.length === 1 ? "" : "s"}, no key`,
    });
  }
  if (ctx.existingProviders.length > 0) {
    options.push({ value: "keep", label: `Keep ${ctx.existingProviders.join(", ")}` });
  }
  options.push(
    { value: "openai", label: "OpenAI" },
    { value: "anthropic", label: "Anthropic" },
    { value: "compatible", label: "OpenAI-compatible server", hint: "vLLM, LM Studio, OpenRouter…" },
  );
  const kind = await p.select<Choice>("Model provider", options, options[0]!.value);
  const answers: OnboardAnswers = {};
  if (kind === "ollama") {
    const model = ollama!.models.length > 0
      ? await p.select("Model", ollama!.models.map((m) => ({ value: m, label: m })), ollama!.models[0])
      : await p.text("Model name (as in `ollama list`)", { placeholder: "llama3.2" });
    answers.provider = { kind, baseUrl: `${ollama!.url}/v1`, model };
  } else if (kind === "openai" || kind === "anthropic") {
    const apiKey = await askSecret(
      p,
      ctx,
      `${kind === "openai" ? "OpenAI" : "Anthropic"} API key`,
      KEY_ENV[kind],
    );
    const model = await p.text("Default model", { initial: DEFAULT_MODELS[kind] });
    answers.provider = { kind, apiKey, model };
  } else if (kind === "compatible") {
    const baseUrl = await p.text("Base URL of the server", { placeholder: "http://127.0.0.1:8000/v1" });
    const needsKey = await p.confirm("Does it need an API key?", false);
    const apiKey = needsKey ? await askSecret(p, ctx, "API key", "TALON_PROVIDER_API_KEY") : undefined;
    const model = await p.text("Model name");
    answers.provider = { kind, baseUrl, apiKey, model };
  }
  if (await p.confirm("Connect a Telegram bot?", false)) {
    answers.telegram = await askSecret(p, ctx, "Telegram bot token (from @BotFather)", "TELEGRAM_BOT_TOKEN");
    const owners = await askOwners(p, "Telegram");
    if (owners.length) answers.owners = { ...answers.owners, telegram: owners };
  }
  if (await p.confirm("Connect a Discord bot?", false)) {
    answers.discord = await askSecret(p, ctx, "Discord bot token", "DISCORD_BOT_TOKEN");
    const owners = await askOwners(p, "Discord");
    if (owners.length) answers.owners = { ...answers.owners, discord: owners };
  }
  if (await p.confirm("Connect WhatsApp (link your phone as a device)?", false)) {
    answers.whatsapp = true;
    const number = (await p.text("Your WhatsApp number, the owner (e.g. +15551234567; empty to skip)"))
      .trim();
    if (number) {
      const e164 = toE164(number);
      if (!e164) throw new TypeError(`"${number}" is not a phone number: use +<country><number>`);
      answers.owners = { ...answers.owners, whatsapp: [e164] };
    }
  }

  if (ctx.canInstallService) {
    answers.installService = await p.confirm("Install and start the systemd user service?", false);
  }
  return answers;
}

/** Asks for the owner's sender id(s) on a channel; empty keeps today's rule (allowFrom counts as owner). */
async function askOwners(p: Prompter, channel: string): Promise<string[]> {
  const text = await p.text(
    `Your own ${channel} user id (the owner: may approve tool calls; comma-separated, empty to skip)`,
    { optional: true },
  );
  return parseOwnerIds(text ?? "");
}

/**
 * Asks which environment variable holds a secret. When it is set, its value is used; otherwise the user
 * may paste the secret, which is stored in talon.env under that name (the config only names it).
 */
async function askSecret(
  p: Prompter,
  ctx: WizardContext,
  what: string,
  defaultEnv: string,
): Promise<SecretRef> {
  const name = (await p.text(`${what}: environment variable`, { initial: defaultEnv })).trim();
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new TypeError(`"${name}" is not an environment variable name`);
  }
  const value = ctx.env[name];
  if (value) return { env: name, value };
  const pasted =
    (await p.password(`${name} is not set. Paste the value (saved to ${ctx.envFile}, mode 0600)`))
      .trim();
  if (!pasted) throw new TypeError(`${what}: no value given`);
  return { env: name, value: pasted, persist: true };
}

/** The Prompter backed by @clack/prompts. */
export function clackPrompter(): Prompter {
  const unwrap = <T>(v: T): Exclude<T, symbol> => {
    if (clack.isCancel(v)) {
      clack.cancel("Cancelled");
      throw new WizardCancelled();
    }
    return v as Exclude<T, symbol>;
  };
  return {
    intro: (t) => clack.intro(t),
    note: (m, t) => clack.note(m, t),
    outro: (m) => clack.outro(m),
    select: async (message, options, initial) =>
      unwrap(
        await clack.select({
          message,
          options: options as clack.Option<typeof initial>[],
          initialValue: initial,
        }),
      ) as typeof options[number]["value"],
    text: async (message, opts = {}) =>
      unwrap(
        await clack.text({
          message,
          initialValue: opts.initial,
          placeholder: opts.placeholder,
          validate: opts.optional ? undefined : (v) => (v && v.trim() ? undefined : "Required"),
        }),
      ),
    password: async (message) => unwrap(await clack.password({ message })),
    confirm: async (message, initial = false) =>
      unwrap(await clack.confirm({ message, initialValue: initial })),
    spin(message) {
      const s = clack.spinner();
      s.start(message);
      return (done, ok) => (ok ? s.stop(done) : s.error(done));
    },
  };
}
