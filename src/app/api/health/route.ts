import { getDatabase } from "~/server/db";

export const dynamic = "force-dynamic";

/** Liveness + readiness: answers 200 only when the database answers. */
export async function GET() {
  try {
    await getDatabase().raw.query("select 1");
    return Response.json({ status: "ok", database: "ok" });
  } catch {
    return Response.json({ status: "error", database: "unreachable" }, { status: 503 });
  }
}
