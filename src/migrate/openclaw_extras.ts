/** Maps OpenClaw cron jobs and agent workspaces onto what Talon loads. */
import { isObj, type Obj, type PlannedFile } from "./types.ts";
import type { MapContext } from "./openclaw_values.ts";
import type { AgentSource } from "./openclaw_config.ts";

/** A cron job in the import file `<TALON_HOME>/import/openclaw-cron.json`. */
export interface ImportedCronJob {
  id: string;
  name?: string;
  agentId: string;
  enabled: boolean;
  schedule:
    | { kind: "cron"; expr: string; tz?: string }
    | { kind: "every"; everyMs: number }
    | { kind: "at"; at: string };
  /** `main`: into the agent's main session; `isolated`: a fresh session per run (`cron:<id>`). */
  session: "main" | "isolated";
  message: string;
  /** Where the reply goes (isolated jobs with announce delivery); absent: not delivered. */
  deliver?: { channel: string; to: string; accountId?: string };
  deleteAfterRun?: boolean;
}

/** Maps OpenClaw's `cron/jobs.json` entries; jobs that cannot be carried over are reported. */
export function mapCronJobs(
  jobs: Obj[],
  agents: AgentSource[],
  defaultAgent: string,
  ctx: MapContext,
): ImportedCronJob[] {
  const out: ImportedCronJob[] = [];
  jobs.forEach((job, i) => {
    const label = `cron/jobs.json[${i}]${typeof job.name === "string" ? ` "${job.name}"` : ""}`;
    const id = typeof job.id === "string" && job.id ? job.id : `job-${i + 1}`;
    const schedule = mapSchedule(job.schedule);
    if (!schedule) {
      ctx.unmapped.push({ path: label, reason: "schedule is not {kind: cron|every|at} with its fields" });
      return;
    }
    const payload = isObj(job.payload) ? job.payload : {};
    const text = payload.kind === "systemEvent"
      ? payload.text
      : payload.kind === "agentTurn"
      ? payload.message
      : undefined;
    if (typeof text !== "string" || !text.trim()) {
      ctx.unmapped.push({
        path: label,
        reason: `payload kind "${String(payload.kind)}" without text cannot be carried over`,
      });
      return;
    }
    const sourceAgent = typeof job.agentId === "string" ? job.agentId : undefined;
    const agent = sourceAgent ? agents.find((a) => a.sourceId === sourceAgent) : undefined;
    if (sourceAgent && !agent) {
      ctx.unmapped.push({ path: label, reason: `agent "${sourceAgent}" was not imported` });
      return;
    }
    const target = typeof job.sessionTarget === "string"
      ? job.sessionTarget
      : payload.kind === "agentTurn"
      ? "isolated"
      : "main";
    if (target !== "main" && target !== "isolated") {
      ctx.unmapped.push({
        path: label,
        reason: `session target "${target}" has no Talon equivalent (main or isolated)`,
      });
      return;
    }
    const mapped: ImportedCronJob = {
      id,
      ...(typeof job.name === "string" ? { name: job.name } : {}),
      agentId: agent?.id ?? defaultAgent,
      enabled: job.enabled !== false,
      schedule,
      session: target,
      message: text,
    };
    const delivery = isObj(job.delivery) ? job.delivery : undefined;
    if (
      delivery && delivery.mode === "announce" && typeof delivery.channel === "string" &&
      typeof delivery.to === "string"
    ) {
      mapped.deliver = {
        channel: delivery.channel,
        to: delivery.to,
        ...(typeof delivery.accountId === "string" ? { accountId: delivery.accountId } : {}),
      };
    } else if (delivery && delivery.mode !== "none" && delivery.mode !== "announce") {
      ctx.unmapped.push({
        path: `${label}.delivery`,
        reason: `delivery mode "${String(delivery.mode)}" is not supported; the job runs without delivery`,
      });
    } else if (
      !delivery && payload.deliver === true && typeof payload.channel === "string" &&
      typeof payload.to === "string"
    ) {
      mapped.deliver = { channel: payload.channel, to: payload.to };
    }
    if (typeof payload.model === "string") {
      ctx.unmapped.push({
        path: `${label}.payload.model`,
        reason: "per-job model override is not supported; the agent's model is used",
      });
    }
    if (job.deleteAfterRun === true) mapped.deleteAfterRun = true;
    out.push(mapped);
  });
  return out;
}

function mapSchedule(s: unknown): ImportedCronJob["schedule"] | undefined {
  if (!isObj(s)) return undefined;
  if (s.kind === "cron" && typeof s.expr === "string" && s.expr.trim().split(/\s+/).length >= 5) {
    return { kind: "cron", expr: s.expr.trim(), ...(typeof s.tz === "string" ? { tz: s.tz } : {}) };
  }
  if (s.kind === "every" && typeof s.everyMs === "number" && s.everyMs > 0) {
    return { kind: "every", everyMs: s.everyMs };
  }
  if (s.kind === "at") {
    const ms = typeof s.atMs === "number" ? s.atMs : typeof s.at === "string" ? Date.parse(s.at) : NaN;
    if (Number.isFinite(ms)) return { kind: "at", at: new Date(ms).toISOString() };
  }
  return undefined;
}

/** The workspace files Talon's prompt builder reads. */
export const WORKSPACE_FILES = [
  "AGENTS.md",
  "SOUL.md",
  "USER.md",
  "IDENTITY.md",
  "MEMORY.md",
  "HEARTBEAT.md",
] as const;

/** Plans copies of each agent's workspace files into `<home>/workspace/<agentId>/`. */
export async function planWorkspaces(
  agents: AgentSource[],
  home: string,
  ctx: MapContext,
): Promise<PlannedFile[]> {
  const files: PlannedFile[] = [];
  for (const agent of agents) {
    const dest = `${home}/workspace/${agent.id}`;
    let entries: Deno.DirEntry[];
    try {
      entries = await Array.fromAsync(Deno.readDir(agent.workspace));
    } catch {
      ctx.warnings.push(
        `agent "${agent.id}": no workspace at ${agent.workspace}; it starts with an empty one`,
      );
      continue;
    }
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const from = `${agent.workspace}/${e.name}`;
      if (e.isFile && (WORKSPACE_FILES as readonly string[]).includes(e.name)) {
        files.push({
          path: `${dest}/${e.name}`,
          kind: "workspace",
          from,
          content: await Deno.readFile(from),
        });
      } else if (e.isDirectory && e.name === "memory") {
        const mem = await Array.fromAsync(Deno.readDir(from));
        for (const m of mem.sort((a, b) => a.name.localeCompare(b.name))) {
          if (m.isFile && m.name.endsWith(".md")) {
            files.push({
              path: `${dest}/memory/${m.name}`,
              kind: "workspace",
              from: `${from}/${m.name}`,
              content: await Deno.readFile(`${from}/${m.name}`),
            });
          }
        }
      } else if (e.isDirectory && e.name === "skills") {
        // Copied by planSkills (openclaw_skills.ts).
      } else if (!e.name.startsWith(".")) {
        ctx.unmapped.push({
          path: from,
          reason: `not one of the workspace files Talon reads (${
            WORKSPACE_FILES.join(", ")
          }, memory/*.md); copy it by hand if the agent needs it`,
        });
      }
    }
  }
  return files;
}
