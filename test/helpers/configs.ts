/** Configs shared by tests that run a gateway against the fake provider and the fake Telegram. */

/** A gateway answering Telegram DMs (one session per peer) through a fake OpenAI-compatible provider. */
export function telegramGatewayConfig(o: {
  providerUrl: string;
  telegram: { token: string; apiRoot: string };
  maxConcurrent?: number;
  shards?: number;
}): Record<string, unknown> {
  return {
    gateway: { port: 0 },
    logging: { console: false },
    session: { dmScope: "per-peer" },
    providers: { fake: { api: "openai-chat", baseUrl: o.providerUrl, apiKey: "test-key" } },
    agents: {
      defaults: { model: { primary: "fake/gpt-test" } },
      maxConcurrent: o.maxConcurrent ?? 8,
      shards: o.shards ?? 2,
    },
    channels: {
      telegram: {
        accounts: { default: { botToken: o.telegram.token, apiRoot: o.telegram.apiRoot, dmPolicy: "open" } },
      },
    },
  };
}
