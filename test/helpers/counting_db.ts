import type { Db } from "../../src/store/db.ts";

/** The store's Db, counting write transactions (batches and single statements that write). */
export function counting(db: Db): Db & { batches: number[]; runs: number } {
  const counted = Object.assign(Object.create(db) as Db, {
    batches: [] as number[],
    runs: 0,
    batch(statements: Parameters<Db["batch"]>[0]) {
      counted.batches.push(statements.length);
      return db.batch(statements);
    },
    run(sql: string, args?: Parameters<Db["run"]>[1]) {
      counted.runs++;
      return db.run(sql, args);
    },
  });
  return counted;
}
