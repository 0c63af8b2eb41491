/**
 * Loads what `talon import openclaw` left for the store: approved pairings and cron jobs
 * (<home>/import/openclaw-*.json). Each entry is inserted idempotently; a loaded file is renamed to
 * `*.loaded.json` so it is read once. A malformed file is logged and left in place, never half-loaded.
 */
import { z } from "zod";
import { describeError } from "../core/errors.ts";
import type { Logger } from "../core/logger.ts";
import type { CronJobRepo } from "../cron/job_repo.ts";
import { nextRunAt, scheduleSchema } from "../cron/schedule.ts";
import type { PairingRepo } from "../store/pairing.ts";

const pairingsFile = z.object({
  version: z.literal(1),
  pairings: z.array(
    z.object({ channel: z.string().min(1), accountId: z.string().min(1), senderId: z.string().min(1) }),
  ),
});

const cronFile = z.object({
  version: z.literal(1),
  jobs: z.array(z.object({
    id: z.string().min(1),
    name: z.string().min(1).optional(),
    agentId: z.string().optional(),
    enabled: z.boolean().default(true),
    schedule: scheduleSchema,
    session: z.enum(["main", "isolated"]).default("isolated"),
    message: z.string().min(1),
    deliver: z.object({ channel: z.string(), to: z.string(), accountId: z.string().optional() }).optional(),
  })),
});

export interface ImportLoadResult {
  pairings: number;
  jobs: number;
  errors: string[];
}

export async function loadImportFiles(deps: {
  dir: string;
  pairing: PairingRepo;
  cron: CronJobRepo;
  defaultAgent: string;
  now: number;
  logger: Logger;
}): Promise<ImportLoadResult> {
  const result: ImportLoadResult = { pairings: 0, jobs: 0, errors: [] };
  const load = async <T>(name: string, schema: z.ZodType<T>, apply: (data: T) => Promise<void>) => {
    const path = `${deps.dir}/${name}.json`;
    let text: string;
    try {
      text = await Deno.readTextFile(path);
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) result.errors.push(`${path}: ${describeError(err)}`);
      return;
    }
    try {
      const parsed = schema.safeParse(JSON.parse(text));
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw new TypeError(`${issue.path.join(".") || "(root)"}: ${issue.message}`);
      }
      await apply(parsed.data);
      await Deno.rename(path, `${deps.dir}/${name}.loaded.json`);
    } catch (err) {
      const message = `Cannot load ${path}: ${describeError(err)}`;
      result.errors.push(message);
      deps.logger.error(message);
    }
  };
  await load("openclaw-pairings", pairingsFile, async (data) => {
    for (const p of data.pairings) {
      if (await deps.pairing.grant(p.channel, p.accountId, p.senderId, "import:openclaw")) result.pairings++;
    }
  });
  await load("openclaw-cron", cronFile, async (data) => {
    for (const j of data.jobs) {
      if (await deps.cron.get(j.id)) continue;
      const agentId = j.agentId ?? deps.defaultAgent;
      await deps.cron.insert({
        id: j.id,
        name: j.name ?? j.id,
        schedule: j.schedule,
        payload: {
          message: j.message,
          agentId,
          ...(j.session === "main" ? { sessionKey: `agent:${agentId}:main` } : {}),
          ...(j.deliver ? { deliver: j.deliver } : {}),
        },
        enabled: j.enabled,
        nextRunAt: nextRunAt(j.schedule, deps.now, deps.now),
        createdBy: "import:openclaw",
        createdAt: deps.now,
      });
      result.jobs++;
    }
  });
  if (result.pairings || result.jobs) deps.logger.info("loaded imported OpenClaw data", { ...result });
  return result;
}
