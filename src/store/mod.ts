/**
 * The store: libSQL behind small repository interfaces. Other code depends on the interfaces
 * (KvRepo, AuditRepo, …), never on libSQL.
 */
import { type Db, openDb } from "./db.ts";
import type { Clock } from "../core/clock.ts";
import { migrate } from "./migrate.ts";
import { allMigrations } from "./migrations.ts";
import { createKvRepo, type KvRepo } from "./kv.ts";
import { type AuditRepo, createAuditRepo } from "./audit.ts";
import {
  type BufferedMilestoneRepo,
  createBufferedMilestoneRepo,
  createMilestoneRepo,
  type MilestoneRepo,
} from "./milestones.ts";
import { createCredentialRepo, type CredentialRepo } from "./credentials.ts";
import { createWriteBehind, type WriteBehind } from "./write_behind.ts";

export type { Db } from "./db.ts";
export type { KvRepo } from "./kv.ts";
export type { AuditEntry, AuditRepo, AuditRow } from "./audit.ts";
export type { Milestone, MilestoneRepo } from "./milestones.ts";
export type { Credential, CredentialRepo, Scope } from "./credentials.ts";
export type { WriteBehind } from "./write_behind.ts";
export { SCOPES } from "./credentials.ts";

export interface Store {
  db: Db;
  kv: KvRepo;
  audit: AuditRepo;
  milestones: MilestoneRepo;
  credentials: CredentialRepo;
  /**
   * The queue the milestones are written through (set by withBufferedMilestones). The main thread's inbox
   * queues its `running` marks on it (createInboxRepo).
   */
  writeBehind?: WriteBehind;
  /**
   * Set in shard workers: a run's usage row, session counters, audit row and transcript entries after its
   * first are written through it, in one transaction with its milestones (write_behind.ts).
   */
  bookkeeping?: WriteBehind;
  /** True once open and migrated, until closed. */
  ready(): boolean;
  close(): void;
}

/** Opens the store at `url` (file:…, libsql://…, :memory:) and applies pending migrations. */
export async function openStore(
  options: { url: string; authToken?: string; now?: () => number; writeLock?: SharedArrayBuffer },
): Promise<Store> {
  const db = await openDb(options);
  try {
    await migrate(db, allMigrations, options.now);
  } catch (err) {
    db.close();
    throw err;
  }
  const now = options.now ?? Date.now;
  return {
    db,
    kv: createKvRepo(db, now),
    audit: createAuditRepo(db, now),
    milestones: createMilestoneRepo(db, now),
    credentials: createCredentialRepo(db, now),
    ready: () => !db.closed,
    close: () => db.close(),
  };
}

/** The libSQL URL for a local database file. */
export function fileUrl(path: string): string {
  return `file:${path}`;
}

/**
 * The store with its milestones written in batches (createBufferedMilestoneRepo), as the gateway and its
 * shard workers use it; `milestones.close()` flushes before the store closes. The queue is the store's
 * `writeBehind`, and with `bookkeeping` also its `bookkeeping` (see Store.bookkeeping).
 */
export function withBufferedMilestones(
  store: Store,
  onError: (err: unknown) => void,
  clock?: Clock,
  opts: { bookkeeping?: boolean } = {},
): Store & { milestones: BufferedMilestoneRepo } {
  const queue = createWriteBehind(store.db, { onError, clock });
  return {
    ...store,
    milestones: createBufferedMilestoneRepo(store.db, { clock, writeBehind: queue }),
    writeBehind: queue,
    ...(opts.bookkeeping ? { bookkeeping: queue } : {}),
  };
}
