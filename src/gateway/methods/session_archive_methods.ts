/**
 * Earlier transcripts of a session key (what `/new` and `/reset` left behind), for the Control UI's
 * session page: `sessions.transcripts` (read) lists them — when, how many messages — and
 * `sessions.transcript` (read) returns one, read-only. An admin credential (the owner) sees every one;
 * any other credential (principal `api`) only those its own runs wrote (capabilities.ts
 * `mayReadTranscript`); the others are left out of the list and refused as NOT_FOUND.
 */
import { z } from "zod";
import { TalonError } from "../../core/errors.ts";
import { mayReadTranscript } from "../../security/capabilities.ts";
import { principalOfCredential } from "../../security/principal_of.ts";
import type { Db } from "../../store/db.ts";
import { type ArchivedTranscript, createSessionArchiveRepo } from "../../store/session_archive.ts";
import { createTranscriptRepo } from "../../store/transcripts.ts";
import type { MethodContext, MethodRegistry } from "./registry.ts";

const listParams = z.strictObject({ sessionKey: z.string().min(1).max(500) });
const getParams = z.strictObject({
  sessionId: z.string().min(1).max(200),
  limit: z.number().int().min(1).max(5000).optional(),
});

/** Registers `sessions.transcripts` and `sessions.transcript`. */
export function registerSessionArchiveMethods(registry: MethodRegistry, deps: { db: Db }): void {
  const archive = createSessionArchiveRepo(deps.db);
  const transcripts = createTranscriptRepo(deps.db);
  const readable = (t: ArchivedTranscript, ctx: MethodContext) =>
    mayReadTranscript(principalOfCredential({ id: ctx.credentialId, scopes: ctx.scopes }), t.principals);
  const view = ({ principals: _p, ...t }: ArchivedTranscript) => t;

  registry.add({
    name: "sessions.transcripts",
    scope: "read",
    params: listParams,
    description: "Earlier transcripts of a session key (after /new or /reset), newest first: " +
      "{transcripts:[{sessionId, endedAt, firstTs, lastTs, messages, entries}]}. Below admin, only " +
      "those written by this credential's own runs.",
    handler: async ({ sessionKey }, ctx) => {
      const all = await archive.list(sessionKey);
      return { sessionKey, transcripts: all.filter((t) => readable(t, ctx)).map(view) };
    },
  });

  registry.add({
    name: "sessions.transcript",
    scope: "read",
    params: getParams,
    description:
      "One earlier transcript, read-only: {transcript, entries} (the newest `limit`, default 1000).",
    handler: async ({ sessionId, limit }, ctx) => {
      const t = await archive.get(sessionId);
      // Someone else's transcript is answered exactly like a missing one.
      if (!t || !readable(t, ctx)) throw new TalonError("NOT_FOUND", `No earlier transcript ${sessionId}`);
      const entries = await transcripts.list(sessionId, { limit: limit ?? 1000 });
      return { transcript: view(t), entries };
    },
  });
}
