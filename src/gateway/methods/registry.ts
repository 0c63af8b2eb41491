/**
 * The method registry: every WebSocket method with its params schema and the scope it requires.
 * Features add methods with `registry.add(...)` from their own modules.
 */
import type { z } from "zod";
import type { Scope } from "../../store/credentials.ts";

/** What a method handler knows about the connection that called it. */
export interface MethodContext {
  connId: string;
  credentialId: string;
  /** Scopes granted to this connection (from the credential record, capped by what the client asked). */
  scopes: ReadonlySet<Scope>;
  client: { id?: string; mode?: string; version?: string };
  remoteAddr: string;
  /** Aborted when the connection closes. */
  signal: AbortSignal;
  /** Sends an event frame to this connection only. */
  emit(event: string, payload: unknown): void;
  /**
   * Sends an interim `ok` response with the request's id (e.g. `{status:"accepted"}`); the handler's
   * return value is then sent as the final response with the same id.
   */
  ack(payload: unknown): void;
  /** Subscribes this connection to bus events for a session (used by chat/agent methods). */
  subscribeSession(sessionKey: string): void;
  /** Adds event filters to this connection; returns the filters now in force. */
  subscribe(filter: SubscriptionFilter): Required<SubscriptionFilter>;
  /** Removes event filters from this connection. */
  unsubscribe(filter: SubscriptionFilter): void;
}

/** Which bus events a connection receives: all, by event name, by session key or by run id. */
export interface SubscriptionFilter {
  all?: boolean;
  events?: string[];
  sessionKeys?: string[];
  runIds?: string[];
}

export interface MethodDef<P = unknown> {
  name: string;
  /** Scope the caller's credential must hold. `admin` implies write implies read. */
  scope: Scope;
  params: z.ZodType<P>;
  description?: string;
  handler(params: P, ctx: MethodContext): unknown | Promise<unknown>;
}

export class MethodRegistry {
  #methods = new Map<string, MethodDef<unknown>>();

  add<P>(def: MethodDef<P>): this {
    if (this.#methods.has(def.name)) throw new RangeError(`Method ${def.name} is already registered`);
    this.#methods.set(def.name, def as MethodDef<unknown>);
    return this;
  }

  get(name: string): MethodDef<unknown> | undefined {
    return this.#methods.get(name);
  }

  names(): string[] {
    return [...this.#methods.keys()].sort();
  }
}

const RANK: Record<Scope, number> = { read: 1, write: 2, admin: 3 };

/** True when `granted` includes `required` or a higher scope. */
export function hasScope(granted: ReadonlySet<Scope>, required: Scope): boolean {
  for (const s of granted) if (RANK[s] >= RANK[required]) return true;
  return false;
}
