/** Token usage, cost estimates from the configured price table, and the per-agent daily budget. */
import type { Config } from "../config/schema.ts";
import { TalonError } from "../core/errors.ts";
import { type UsageRepo, utcDay } from "../store/sessions.ts";

/** USD cost of tokens for a model ref, from config.models.prices (USD per million); 0 when unpriced. */
export function costUsd(
  config: Pick<Config, "models">,
  ref: string | undefined,
  inputTokens: number,
  outputTokens: number,
): number {
  const price = ref ? config.models.prices[ref] : undefined;
  if (!price) return 0;
  return (inputTokens * price.input + outputTokens * price.output) / 1_000_000;
}

/** `$1.23`, `$0.015`, `$0.50`, `<$0.0001`: enough digits to tell small amounts apart. */
export function formatUsd(usd: number): string {
  if (usd === 0) return "$0";
  if (usd >= 1) return `$${usd.toFixed(2)}`;
  if (usd < 0.0001) return "<$0.0001";
  return `$${usd.toFixed(4).replace(/0{1,2}$/, "")}`;
}

/**
 * Refuses a run when the agent's spend today (UTC) has reached its `dailyBudgetUsd`.
 * Throws TalonError BUDGET_EXCEEDED with a message meant for the user.
 */
export async function checkDailyBudget(
  deps: { config: Pick<Config, "agents">; usage: UsageRepo },
  agentId: string,
  now: number,
): Promise<void> {
  const budget = deps.config.agents.list.find((a) => a.id === agentId)?.dailyBudgetUsd;
  if (budget === undefined) return;
  const day = utcDay(now);
  const spent = (await deps.usage.totalForDay(agentId, day)).costUsd;
  if (spent < budget) return;
  throw new TalonError(
    "BUDGET_EXCEEDED",
    `Agent "${agentId}" has used its daily budget: ${formatUsd(spent)} of ${
      formatUsd(budget)
    } spent today (${day}, UTC). ` +
      `New runs start again tomorrow, or raise agents.list[].dailyBudgetUsd in talon.json.`,
    { details: { agentId, day, spentUsd: spent, budgetUsd: budget } },
  );
}
