/**
 * The inbound pipeline: a chain of small middleware steps (access → normalise → route → sink), in the
 * style of Hono and grammY's Composer, with an error boundary so one bad update never stops an adapter.
 */
import { talonCommand } from "../core/cli_name.ts";
import type { InboundMessage } from "../core/types.ts";
import { describeError } from "../core/errors.ts";
import type { Logger } from "../core/logger.ts";
import { resolveRoute, type Route, type RouteConfig } from "../routing/resolve_route.ts";
import type { PairingRepo } from "../store/pairing.ts";
import { type AccessDecision, type AccessPolicy, evaluateAccess } from "./access.ts";
import type { InboundSink } from "./types.ts";

/** What happened to one inbound message. `failed` + retryable means: do not acknowledge, try again later. */
export type PipelineOutcome =
  | { status: "accepted"; route: Route; duplicate: boolean }
  | { status: "dropped"; reason: string }
  | { status: "failed"; retryable: boolean; error: string };

export interface PipelineContext {
  inbound: InboundMessage;
  access?: AccessDecision;
  route?: Route;
  outcome?: PipelineOutcome;
  /** Replies to the chat the message came from (used for pairing codes). */
  reply(text: string): Promise<void>;
}

export type PipelineStep = (ctx: PipelineContext, next: () => Promise<void>) => Promise<void>;

export interface Pipeline {
  /** Runs the chain; never throws. */
  handle(inbound: InboundMessage, reply: (text: string) => Promise<void>): Promise<PipelineOutcome>;
}

/** Composes steps into a pipeline with an error boundary. */
export function createPipeline(steps: readonly PipelineStep[], logger?: Logger): Pipeline {
  return {
    async handle(inbound, reply) {
      const ctx: PipelineContext = { inbound, reply };
      const run = async (i: number): Promise<void> => {
        const step = steps[i];
        if (step) await step(ctx, () => run(i + 1));
      };
      try {
        await run(0);
      } catch (err) {
        logger?.error("Inbound message failed", {
          channel: inbound.channel,
          accountId: inbound.accountId,
          messageId: inbound.messageId,
          error: describeError(err),
        });
        return { status: "failed", retryable: false, error: describeError(err) };
      }
      return ctx.outcome ?? { status: "dropped", reason: "unhandled" };
    },
  };
}

/** Trims text and drops messages with neither text nor media. */
export function normaliseStep(): PipelineStep {
  return async (ctx, next) => {
    const text = ctx.inbound.text.replace(/\r\n/g, "\n").trim();
    if (!text && !(ctx.inbound.media?.length)) {
      ctx.outcome = { status: "dropped", reason: "empty" };
      return;
    }
    ctx.inbound = { ...ctx.inbound, text };
    await next();
  };
}

export interface AccessStepDeps {
  policy: AccessPolicy;
  pairing: PairingRepo;
  logger?: Logger;
  /** The text sent with a new pairing code. */
  pairingText?: (code: string, channel: string) => string;
}

/** Applies the access policy; with `pairing`, an unknown DM sender gets a code and nothing else happens. */
export function accessStep(deps: AccessStepDeps): PipelineStep {
  const text = deps.pairingText ?? defaultPairingText;
  return async (ctx, next) => {
    const { inbound } = ctx;
    const decision = await evaluateAccess(
      inbound,
      deps.policy,
      () => deps.pairing.isApproved(inbound.channel, inbound.accountId, inbound.sender.id),
    );
    ctx.access = decision;
    if (decision.allow) return next();
    if (decision.reason === "pairing-required") {
      const issued = await deps.pairing.request({
        channel: inbound.channel,
        accountId: inbound.accountId,
        senderId: inbound.sender.id,
        senderName: inbound.sender.username ?? inbound.sender.name,
      });
      if (issued.status === "created") await ctx.reply(text(issued.request.code, inbound.channel));
      deps.logger?.info("Pairing requested", { channel: inbound.channel, status: issued.status });
    }
    ctx.outcome = { status: "dropped", reason: decision.reason };
  };
}

/** Resolves agent and session. `config` is read per message so a reloaded config applies at once. */
export function routeStep(config: () => RouteConfig): PipelineStep {
  return async (ctx, next) => {
    ctx.route = resolveRoute(ctx.inbound, config());
    await next();
  };
}

/** Hands the message to the sink. A sink failure is retryable: the adapter must not acknowledge. */
export function sinkStep(sink: InboundSink, logger?: Logger): PipelineStep {
  return async (ctx) => {
    if (!ctx.route) throw new TypeError("sinkStep needs routeStep before it");
    try {
      const authorised = ctx.access?.allow === true && ctx.access.authorised;
      const res = await sink.accept(ctx.inbound, ctx.route, { authorised });
      ctx.outcome = res.accepted
        ? { status: "accepted", route: ctx.route, duplicate: res.duplicate ?? false }
        : { status: "dropped", reason: "sink-refused" };
    } catch (err) {
      logger?.warn("Inbox refused a message; it will be retried", { error: describeError(err) });
      ctx.outcome = { status: "failed", retryable: true, error: describeError(err) };
    }
  };
}

export interface ChannelPipelineDeps {
  policy: AccessPolicy;
  pairing: PairingRepo;
  routeConfig: () => RouteConfig;
  sink: InboundSink;
  logger?: Logger;
  /** Steps run after access and before normalise, e.g. downloading media only for admitted messages. */
  enrich?: PipelineStep[];
}

/** The standard chain every adapter uses: access → (enrich) → normalise → route → sink. */
export function createChannelPipeline(deps: ChannelPipelineDeps): Pipeline {
  return createPipeline([
    accessStep({ policy: deps.policy, pairing: deps.pairing, logger: deps.logger }),
    ...(deps.enrich ?? []),
    normaliseStep(),
    routeStep(deps.routeConfig),
    sinkStep(deps.sink, deps.logger),
  ], deps.logger);
}

function defaultPairingText(code: string, channel: string): string {
  return [
    "Hi! This assistant only talks to people its owner has approved.",
    `Your pairing code: ${code} (valid for 1 hour).`,
    `Ask the owner to run: ${talonCommand()} pairing approve ${channel} ${code}`,
  ].join("\n");
}
