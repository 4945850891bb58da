/**
 * Raw SQL straight on the pg pool, for the statements run per order (the claim, the result
 * transaction, signal completion, the fan-out's transaction, the webhook's insert): the same `$queryRawUnsafe` / `$executeRawUnsafe` / `$transaction` surface as a
 * Prisma client, without Prisma's work per statement. For a raw query Prisma serialises the
 * parameters to JSON and parses them back (a 300 KB batch of results is escaped and re-read
 * twice), then rebuilds every row as a new object converting each value; in a 10,000-subscriber
 * fan-out that was ~8 % of the worker's CPU and a fifth of everything it allocated.
 *
 * Values come back as a Prisma raw query's do, except numeric, which comes back as its exact
 * decimal string (never a float; the callers' SQL casts numerics to text anyway, so both paths
 * agree) and int8, which comes back as a string. `timestamp` columns (Prisma's DateTime, stored
 * in UTC without a zone) are read as UTC whatever the process's time zone, and Date parameters
 * are sent as UTC ISO strings.
 */
import pg from "pg";
import type { SqlClient, SqlDb } from "~/server/db";
import { Decimal } from "~/server/money/decimal";

const TIMESTAMP_OID = 1114;
const parseUtc = (v: string) => new Date(`${v.replace(" ", "T")}Z`);
/** Per query, so the pool's own parsers (which the Prisma adapter relies on) stay as they are. */
const types = {
  getTypeParser: ((oid: number, format?: "text" | "binary") => {
    if (oid === TIMESTAMP_OID) return parseUtc;
    return pg.types.getTypeParser(oid, format ?? "text");
  }) as pg.CustomTypesConfig["getTypeParser"],
};

/** What pg would send wrongly or not at all: Dates in the local zone, bigint, Prisma's Decimal. */
function param(v: unknown): unknown {
  if (v instanceof Date) return v.toISOString();
  if (typeof v === "bigint") return v.toString();
  if (Decimal.isDecimal(v)) return v.toFixed();
  return v;
}

type Queryable = Pick<pg.Pool, "query"> | pg.PoolClient;

function client(on: Queryable): SqlClient {
  const run = (text: string, values: unknown[]) => on.query({ text, values: values.map(param), types });
  return {
    $queryRawUnsafe: async <T,>(text: string, ...values: unknown[]) => (await run(text, values)).rows as T,
    $executeRawUnsafe: async (text: string, ...values: unknown[]) => (await run(text, values)).rowCount ?? 0,
  };
}

/**
 * `statementTimeoutMs`: inside a transaction, a statement that waits longer (most often on a lock:
 * the audit chain's, a row another transaction holds) is cancelled and the transaction rolled back,
 * as Prisma's interactive transactions end after 5 s. The caller's job fails and is retried; its
 * connection and its worker slot are not held for as long as the lock is.
 */
export function pgSql(pool: pg.Pool, opts: { statementTimeoutMs?: number } = {}): SqlDb {
  const begin = `BEGIN; SET LOCAL statement_timeout = ${Math.max(1, Math.floor(opts.statementTimeoutMs ?? 5_000))}`;
  return {
    ...client(pool),
    async $transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
      const conn = await pool.connect();
      let broken: Error | undefined;
      try {
        await conn.query(begin);
        const result = await fn(client(conn));
        await conn.query("COMMIT");
        return result;
      } catch (err) {
        // A connection that cannot even roll back is discarded, not handed to the next caller.
        await conn.query("ROLLBACK").catch((e: unknown) => void (broken = e instanceof Error ? e : new Error(String(e))));
        throw err;
      } finally {
        conn.release(broken);
      }
    },
  };
}
