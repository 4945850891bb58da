import type { NextRequest } from "next/server";
import { auditCsv, auditFilterSchema } from "~/server/audit/audit-query";
import { writeAudit } from "~/server/audit/write-audit";
import { getSession } from "~/server/auth/next-auth";
import { getDb } from "~/server/db";
import { requestMeta } from "~/server/http/request-meta";

export const dynamic = "force-dynamic";

/** The filtered audit log as CSV, streamed (admins only; the export is itself audited). */
export async function GET(req: NextRequest) {
  const db = getDb();
  const meta = requestMeta(req.headers);
  const session = await getSession();
  const user = session?.user?.id ? await db.user.findUnique({ where: { id: session.user.id }, select: { id: true, role: true, disabledAt: true } }) : null;
  if (!user || user.disabledAt || user.role !== "ADMIN") {
    await writeAudit(db, { action: "auth.denied", outcome: "DENIED", actorId: user?.id ?? null, meta, targetType: "route", targetId: "/api/admin/audit.csv", details: { status: user ? 403 : 401 } });
    return Response.json({ error: user ? "Admins only." : "Sign in to continue." }, { status: user ? 403 : 401 });
  }
  const parsed = auditFilterSchema.safeParse(Object.fromEntries(new URL(req.url).searchParams));
  if (!parsed.success) {
    return Response.json({ error: parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ") }, { status: 400 });
  }
  await writeAudit(db, { action: "admin.audit.export", outcome: "SUCCESS", actorId: user.id, meta, details: { filter: JSON.parse(JSON.stringify(parsed.data)) } });
  const gen = auditCsv(db, parsed.data);
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await gen.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
    async cancel() {
      await gen.return(undefined);
    },
  });
  return new Response(stream, {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="audit-${new Date().toISOString().slice(0, 10)}.csv"`,
      "cache-control": "no-store",
    },
  });
}
