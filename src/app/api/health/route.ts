import { getDatabase } from "~/server/db";
import { WORKER_LEASE_SECONDS } from "~/server/jobs/graphile-queue";

export const dynamic = "force-dynamic";

/**
 * Readiness: 200 only when the database answers and, with PostgreSQL, at least one job worker
 * heartbeated within its lease (with the embedded database the jobs run in this process).
 */
export async function GET() {
  const database = getDatabase();
  try {
    await database.raw.query("select 1");
  } catch {
    return Response.json({ status: "error", database: "unreachable" }, { status: 503 });
  }
  if (database.kind === "pglite") return Response.json({ status: "ok", database: "ok", workers: "in-process" });
  const rows = await database.raw.query<{ alive: string; last: Date | null }>(
    `SELECT count(*) FILTER (WHERE "lastSeenAt" > now() - make_interval(secs => $1))::text AS alive, max("lastSeenAt") AS last FROM "WorkerHeartbeat"`,
    [WORKER_LEASE_SECONDS],
  );
  const alive = Number(rows[0]?.alive ?? 0);
  const body = { status: alive > 0 ? "ok" : "degraded", database: "ok", workers: { alive, lastSeenAt: rows[0]?.last ?? null } };
  return Response.json(alive > 0 ? body : { ...body, message: "No job worker is running: start `npm run worker`." }, { status: alive > 0 ? 200 : 503 });
}
