import type { NextRequest } from "next/server";
import { auditFilterSchema, exportAuditCsv } from "~/server/audit/audit-query";
import { authorize } from "~/server/auth/access";
import { requestContext } from "~/server/auth/request-context";
import { AppError, httpStatusFor, isAppError } from "~/server/errors";

export const dynamic = "force-dynamic";

/** The filtered audit log as CSV, streamed (admins only, the same check as adminProcedure; the export is itself audited). */
export async function GET(req: NextRequest) {
  const ctx = await requestContext({ headers: req.headers });
  let gen: AsyncGenerator<string>;
  try {
    const admin = await authorize(ctx, "admin", { type: "route", id: "/api/admin/audit.csv" });
    const parsed = auditFilterSchema.safeParse(Object.fromEntries(new URL(req.url).searchParams));
    if (!parsed.success) throw new AppError("BAD_INPUT", parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
    gen = await exportAuditCsv(ctx.db, { id: admin.id, meta: ctx.meta }, parsed.data);
  } catch (err) {
    if (!isAppError(err)) throw err;
    return Response.json({ error: err.message }, { status: httpStatusFor(err.code) });
  }
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
