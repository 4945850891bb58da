import type pg from "pg";

/**
 * Connects `n` of the pool's connections at once, then returns them to the pool: a connection costs
 * a TCP and auth round trip, which the first fan-out after a start would otherwise pay in the middle
 * of its sends (and, paid unevenly, in an order that is not the tiers'). Best effort.
 */
export async function openAll(pool: pg.Pool, n: number): Promise<void> {
  const clients = await Promise.allSettled(Array.from({ length: n }, () => pool.connect()));
  for (const c of clients) if (c.status === "fulfilled") c.value.release();
}
