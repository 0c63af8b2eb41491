/** `talon onboard`: the setup wizard, or its non-interactive form with flags. */
import { talonCommand } from "../core/cli_name.ts";
import { toE164 } from "../core/phone.ts";
import { parseArgs } from "node:util";
import { resolveHome, talonPaths } from "../config/paths.ts";
import { parseJson } from "../config/load.ts";
import { type CommandRunner, realRunner } from "../ops/command_runner.ts";
import {
  DEFAULT_MODELS,
  type OnboardAnswers,
  type OnboardDeps,
  type ProviderKind,
  runOnboard,
  secretFromEnv,
  type StepEvent,
} from "../ops/onboard.ts";
import { detectOllama } from "../ops/onboard_probe.ts";
import { askOnboarding, clackPrompter, type Prompter, WizardCancelled } from "../ops/onboard_wizard.ts";
import { type CliIo, type Command, EXIT } from "./io.ts";
import { createServiceCommand } from "./service.ts";

const USAGE = `Usage: talon onboard [options]

Sets up Talon: a model provider (its key is tested with one real call), optional Telegram/Discord bots
(tokens validated), talon.json (secrets written as \${ENV} references), the gateway token, and optionally
the systemd service. Re-running edits the existing config. In a terminal it asks; with --yes (or without
a terminal) it uses the flags:

  --provider openai|anthropic|compatible|ollama   (default: a local Ollama when one answers)
  --api-key-env NAME          environment variable holding the provider key (default OPENAI_API_KEY /
                              ANTHROPIC_API_KEY)
  --base-url URL              endpoint (required for compatible)
  --model REF                 default model, e.g. gpt-4.1-mini or openai/gpt-4.1-mini
  --provider-id ID            provider id in talon.json (default: openai, anthropic, local, ollama)
  --telegram-token-env NAME   add the default Telegram bot with the token in NAME
  --discord-token-env NAME    add the default Discord bot with the token in NAME
  --whatsapp                  add WhatsApp as a linked device (then: talon channels login whatsapp)
  --whatsapp-owner NUMBER     the owner's WhatsApp number (owners + allowFrom), e.g. +15551234567
  --install-service           install and start the systemd user service
  --yes, -y                   do not ask; fail when something is missing
  --config FILE               config file (default <TALON_HOME>/talon.json)
  --ollama-url URL            where to look for Ollama (default http://127.0.0.1:11434)
  --telegram-api-root URL     Telegram Bot API root for the token check
  --discord-api-root URL      Discord API root for the token check

Exit codes: 0 done, 1 a check failed (nothing written), 2 bad flags.`;

export interface OnboardCommandDeps {
  runner: CommandRunner;
  mainModule: string;
  /** The interactive prompter (default: @clack/prompts). */
  prompter?: () => Prompter;
  execPath?: string;
}

/** Builds the command; tests pass a fake command runner (service install) and a scripted prompter. */
export function createOnboardCommand(deps: OnboardCommandDeps): Command {
  return {
    name: "onboard",
    summary: "Set up a provider, channels, the config, the token and the service",
    usage: USAGE,
    async run(argv, io) {
      const { values } = parseArgs({
        args: argv,
        options: {
          provider: { type: "string" },
          "api-key-env": { type: "string" },
          "base-url": { type: "string" },
          model: { type: "string" },
          "provider-id": { type: "string" },
          "telegram-token-env": { type: "string" },
          "discord-token-env": { type: "string" },
          whatsapp: { type: "boolean", default: false },
          "whatsapp-owner": { type: "string" },
          "install-service": { type: "boolean", default: false },
          yes: { type: "boolean", short: "y", default: false },
          config: { type: "string" },
          "ollama-url": { type: "string" },
          "telegram-api-root": { type: "string" },
          "discord-api-root": { type: "string" },
        },
        strict: true,
      });
      const home = resolveHome(io.env);
      const paths = talonPaths(home, values.config);
      const interactive = io.interactive && !values.yes;
      const prompter = interactive ? (deps.prompter ?? clackPrompter)() : undefined;
      let answers: OnboardAnswers;
      try {
        if (prompter) {
          prompter.intro("Talon setup");
          answers = await askOnboarding(prompter, {
            env: io.env,
            ollamaUrl: values["ollama-url"],
            existingProviders: await existingProviders(paths.configFile),
            canInstallService: Deno.build.os === "linux",
            envFile: `${home}/talon.env`,
          });
        } else {
          answers = await answersFromFlags(values, io);
        }
      } catch (err) {
        if (err instanceof WizardCancelled) {
          io.err(err.message);
          return EXIT.failure;
        }
        if (err instanceof TypeError) {
          io.err(`talon onboard: ${err.message}\n\n${USAGE}`);
          return EXIT.usage;
        }
        throw err;
      }
      const service = createServiceCommand({
        runner: deps.runner,
        mainModule: deps.mainModule,
        execPath: deps.execPath,
      });
      const onboardDeps: OnboardDeps = {
        env: io.env,
        configFile: paths.configFile,
        tokenFile: paths.tokenFile,
        envFile: `${home}/talon.env`,
        telegramApiRoot: values["telegram-api-root"],
        discordApiRoot: values["discord-api-root"],
        installService: async () => {
          const lines: string[] = [];
          const code = await service.run(["install"], {
            ...io,
            out: (t) => lines.push(t),
            err: (t) => lines.push(t),
          });
          if (code !== 0) throw new Error(lines.join("\n"));
          return lines.join(" ");
        },
        progress: prompter ? spinnerProgress(prompter) : lineProgress(io),
      };
      const result = await runOnboard(answers, onboardDeps);
      if (!result.ok) {
        const msg = result.written
          ? `Setup incomplete:\n  ${result.failures.join("\n  ")}`
          : `Nothing was written:\n  ${result.failures.join("\n  ")}`;
        if (prompter) prompter.outro(msg);
        else io.err(`talon onboard: ${msg}`);
        return EXIT.failure;
      }
      const next = [
        `Control UI: ${result.controlUiUrl}  (sign in with the token in ${paths.tokenFile})`,
        answers.installService
          ? `The gateway runs as a service: ${talonCommand()} service status`
          : `Start it: ${talonCommand()} gateway`,
        `Check the setup any time: ${talonCommand()} doctor`,
      ];
      if (answers.whatsapp) {
        next.unshift(`Link your phone: ${talonCommand()} channels login whatsapp (shows a QR code)`);
      }
      if ([answers.provider?.apiKey, answers.telegram, answers.discord].some((s) => s?.persist)) {
        next.push(
          `Secrets are in ${home}/talon.env; for a foreground gateway: set -a; . ${home}/talon.env; set +a`,
        );
      }
      if (prompter) {
        prompter.note(next.join("\n"), "Next");
        prompter.outro("Talon is set up.");
      } else {
        for (const l of next) io.out(l);
      }
      return EXIT.ok;
    },
  };
}

type Flags = {
  provider?: string;
  "api-key-env"?: string;
  "base-url"?: string;
  model?: string;
  "provider-id"?: string;
  "telegram-token-env"?: string;
  "discord-token-env"?: string;
  whatsapp?: boolean;
  "whatsapp-owner"?: string;
  "install-service"?: boolean;
  "ollama-url"?: string;
};

/** The non-interactive answers; throws TypeError for a missing or bad flag. */
export async function answersFromFlags(v: Flags, io: CliIo): Promise<OnboardAnswers> {
  const answers: OnboardAnswers = { installService: v["install-service"] ?? false };
  let kind = v.provider as ProviderKind | undefined;
  if (kind && !["openai", "anthropic", "compatible", "ollama"].includes(kind)) {
    throw new TypeError(`--provider must be openai, anthropic, compatible or ollama, not "${kind}"`);
  }
  let baseUrl = v["base-url"];
  let model = v.model;
  if (!kind || kind === "ollama") {
    const ollama = await detectOllama({ url: v["ollama-url"] });
    if (ollama) {
      kind = "ollama";
      io.out(`Found Ollama at ${ollama.url} (${ollama.models.length} models)`);
      baseUrl ??= `${ollama.url}/v1`;
      model ??= ollama.models[0];
      if (!model) {
        throw new TypeError("Ollama has no models: pull one (ollama pull llama3.2) or pass --model");
      }
    } else if (kind === "ollama") {
      throw new TypeError(`no Ollama answers at ${v["ollama-url"] ?? "http://127.0.0.1:11434"}`);
    }
  }
  if (kind) {
    if (baseUrl !== undefined && !URL.canParse(baseUrl)) {
      throw new TypeError(`--base-url "${baseUrl}" is not a URL`);
    }
    if (kind === "compatible" && !baseUrl) throw new TypeError("--provider compatible needs --base-url");
    model ??= DEFAULT_MODELS[kind];
    if (!model) throw new TypeError(`--provider ${kind} needs --model`);
    const keyEnv = v["api-key-env"] ??
      (kind === "openai" ? "OPENAI_API_KEY" : kind === "anthropic" ? "ANTHROPIC_API_KEY" : undefined);
    answers.provider = {
      kind,
      id: v["provider-id"],
      baseUrl,
      model,
      apiKey: keyEnv ? secretFromEnv(keyEnv, io.env, "--api-key-env") : undefined,
    };
  } else if (v["api-key-env"] || v.model || v["base-url"]) {
    throw new TypeError("--api-key-env, --model and --base-url need --provider");
  }
  if (v["telegram-token-env"]) {
    answers.telegram = secretFromEnv(v["telegram-token-env"], io.env, "--telegram-token-env");
  }
  if (v["discord-token-env"]) {
    answers.discord = secretFromEnv(v["discord-token-env"], io.env, "--discord-token-env");
  }
  if (v["whatsapp-owner"] && !v.whatsapp) throw new TypeError("--whatsapp-owner needs --whatsapp");
  if (v.whatsapp) {
    answers.whatsapp = true;
    if (v["whatsapp-owner"]) {
      const owner = toE164(v["whatsapp-owner"]);
      if (!owner) throw new TypeError(`--whatsapp-owner "${v["whatsapp-owner"]}" is not a phone number`);
      answers.owners = { ...answers.owners, whatsapp: [owner] };
    }
  }
  return answers;
}

async function existingProviders(configFile: string): Promise<string[]> {
  try {
    const raw = parseJson(await Deno.readTextFile(configFile), configFile);
    return Object.keys((raw.providers as object | undefined) ?? {});
  } catch {
    return [];
  }
}

function lineProgress(io: CliIo): (e: StepEvent) => void {
  return (e) => {
    if (e.status === "start") return;
    const mark = e.status === "ok" ? "✓" : e.status === "fail" ? "✗" : "-";
    const line = `${mark} ${e.step}${e.detail ? `: ${e.detail}` : ""}`;
    if (e.status === "fail") io.err(line);
    else io.out(line);
  };
}

function spinnerProgress(p: Prompter): (e: StepEvent) => void {
  let end: ((m: string, ok: boolean) => void) | undefined;
  return (e) => {
    if (e.status === "start") {
      end = p.spin(e.step);
      return;
    }
    const text = `${e.step}${e.detail ? `: ${e.detail}` : ""}`;
    if (end) end(text, e.status !== "fail");
    else p.note(text);
    end = undefined;
  };
}

/** The real command. */
export const onboardCommand: Command = createOnboardCommand({
  runner: realRunner,
  mainModule: new URL("../../main.ts", import.meta.url).href,
});
