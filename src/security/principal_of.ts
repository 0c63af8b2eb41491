/**
 * How the server decides a run's principal at each entry point. Only facts the server checked go in: the
 * scopes of the credential that authenticated, a channel's access decision about a sender and the
 * account's configured owners. A client's claim, a channel name or a session key never does.
 */
import type { Principal } from "../core/principal.ts";

/**
 * A gateway client (WebSocket, `/v1`): an admin-scoped credential is the owner; any other credential is
 * `api` (a write token can start runs but never gains the owner's rights).
 */
export function principalOfCredential(
  credential: { id: string; scopes: Iterable<string> },
): Principal {
  const admin = [...credential.scopes].includes("admin");
  return { kind: admin ? "owner" : "api", id: `credential:${credential.id}` };
}

/** The owner settings of a channel account. */
export interface AccountOwners {
  /** Sender ids of the owner(s). When unset, senders listed by id in `allowFrom` count as owners. */
  owners?: readonly string[];
  allowFrom?: readonly string[];
}

/**
 * The owner ids of an account: `owners`, else (today's rule, reported by `talon security audit`) the ids
 * in `allowFrom`. Only exact ids count: never `*`, never a `@username` (usernames change hands).
 */
export function ownerIds(account: AccountOwners | undefined): readonly string[] {
  const list = account?.owners ?? account?.allowFrom ?? [];
  return list.filter((id) => id !== "*" && !id.startsWith("@"));
}

/**
 * A channel sender who passed the access policy: an owner of the account, else `user` in a direct chat
 * and `group` in a group, guild channel or thread.
 */
export function principalOfSender(
  account: AccountOwners | undefined,
  message: { channel: string; senderId: string; peerKind: "direct" | "group" | "channel" },
): Principal {
  const id = `${message.channel}:${message.senderId}`;
  if (ownerIds(account).includes(message.senderId)) return { kind: "owner", id };
  return { kind: message.peerKind === "direct" ? "user" : "group", id };
}

/** A hooks-token caller. */
export function principalOfHook(name: string): Principal {
  return { kind: "hook", id: name };
}

/** A cron job's run. */
export function principalOfCron(jobId: string): Principal {
  return { kind: "cron", id: jobId };
}
