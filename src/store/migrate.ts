import type { Db } from "./db.ts";

/**
 * A forward-only migration. Versions are numbered in ranges per table family so that families can be
 * added independently: 1–99 core, 100–199 agent, 200–299 lanes, 300–399 channels, 400–499 tools/cron, 500–599 memory.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string[];
}

/** Applies every migration not yet applied, each in its own transaction, in version order. */
export async function migrate(db: Db, migrations: readonly Migration[], now = Date.now): Promise<number[]> {
  const seen = new Set<number>();
  for (const m of migrations) {
    if (seen.has(m.version)) throw new RangeError(`Duplicate migration version ${m.version} (${m.name})`);
    seen.add(m.version);
  }
  await db.run(
    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)",
  );
  const rows = await db.query<{ version: number }>("SELECT version FROM schema_migrations");
  const applied = new Set(rows.map((r) => Number(r.version)));
  const done: number[] = [];
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    if (applied.has(m.version)) continue;
    try {
      await db.batch([
        ...m.sql,
        {
          sql: "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
          args: [m.version, m.name, now()],
        },
      ]);
    } catch (err) {
      // Another connection (a shard worker opening at the same moment) may have applied it first.
      const again = await db.query("SELECT 1 FROM schema_migrations WHERE version = ?", [m.version]);
      if (again.length > 0) continue;
      throw err;
    }
    done.push(m.version);
  }
  return done;
}

/** Versions known to the code but not applied to this database. */
export async function pendingMigrations(db: Db, migrations: readonly Migration[]): Promise<Migration[]> {
  const rows = await db.query<{ version: number }>(
    "SELECT version FROM schema_migrations",
  ).catch(() => [] as { version: number }[]);
  const applied = new Set(rows.map((r) => Number(r.version)));
  return migrations.filter((m) => !applied.has(m.version));
}
