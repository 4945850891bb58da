import type pg from "pg";
import { logger } from "~/server/logger";

/**
 * A pool's connections must never crash the process when the server drops them (a restart, a
 * failover, an admin's pg_terminate_backend). pg's pool only listens for errors on *idle*
 * connections; a connection lost while checked out between two queries (an interactive transaction
 * waiting on JavaScript, graphile-worker between a job's statements) emits 'error' on its client,
 * and an 'error' with no listener ends the process. With this listener the holder's next query
 * fails instead ("Client has encountered a connection error"), its code handles that as any
 * database error, and the pool discards the client when it is released.
 */
export function survivePoolErrors(pool: pg.Pool, label: string): void {
  pool.on("error", (err) => logger.warn({ err }, `${label}: idle connection lost`));
  pool.on("connect", (client) => {
    client.on("error", (err) => logger.warn({ err }, `${label}: connection lost while in use`));
  });
}
