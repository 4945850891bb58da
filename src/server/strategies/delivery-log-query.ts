/**
 * The webhook delivery log as admins read it: one strategy's deliveries (or those no strategy
 * could be tied to), newest first, filtered by outcome, status, reason text and time range, a page
 * at a time (keyset on receivedAt, id); and one delivery with its stored (masked) body.
 */
import { z } from "zod";
import type { Prisma } from "~/generated/prisma/client";
import { envVar } from "~/env";
import type { Db } from "~/server/db";
import { AppError } from "~/server/errors";
import { pruneDeliveriesSometimes } from "~/server/signals/delivery-log";
import { helpLinkForKind } from "~/server/error-catalogue/catalogue";

export const deliveryFilter = z.object({
  /** null: refusals no strategy could be tied to (an unknown webhook URL). */
  strategyId: z.string().min(1).nullable(),
  outcome: z.enum(["all", "accepted", "refused"], { error: "outcome must be all, accepted or refused" }).default("all"),
  status: z.number({ error: "status must be an HTTP status such as 400" }).int().min(100, "status must be an HTTP status such as 400").max(599, "status must be an HTTP status such as 400").nullable().default(null),
  reason: z.string().trim().max(100, "reason: search at most 100 characters").default(""),
  from: z.date({ error: "from must be a date" }).nullable().default(null),
  to: z.date({ error: "to must be a date" }).nullable().default(null),
  cursor: z.object({ receivedAt: z.date(), id: z.string() }).nullable().default(null),
  limit: z.number().int().min(1).max(100).default(25),
});
export type DeliveryFilter = z.input<typeof deliveryFilter>;

const PREVIEW = 160;

export async function listDeliveries(db: Db, raw: DeliveryFilter) {
  const f = deliveryFilter.parse(raw);
  if (f.from && f.to && f.from > f.to) throw new AppError("BAD_INPUT", "from must be before to.", { field: "from" });
  await pruneDeliveriesSometimes(db);
  const kept = new Date(Date.now() - envVar("WEBHOOK_LOG_RETENTION_DAYS") * 86_400_000);
  const where: Prisma.WebhookDeliveryWhereInput = {
    strategyId: f.strategyId,
    receivedAt: { gte: f.from && f.from > kept ? f.from : kept, ...(f.to ? { lte: f.to } : {}) },
    ...(f.outcome === "all" ? {} : { accepted: f.outcome === "accepted" }),
    ...(f.status !== null ? { status: f.status } : {}),
    ...(f.reason ? { reason: { contains: f.reason, mode: "insensitive" as const } } : {}),
    ...(f.cursor ? { OR: [{ receivedAt: { lt: f.cursor.receivedAt } }, { receivedAt: f.cursor.receivedAt, id: { lt: f.cursor.id } }] } : {}),
  };
  const rows = await db.webhookDelivery.findMany({ where, orderBy: [{ receivedAt: "desc" }, { id: "desc" }], take: f.limit + 1 });
  const page = rows.slice(0, f.limit);
  const last = page.at(-1);
  return {
    items: page.map((d) => ({
      id: d.id, receivedAt: d.receivedAt, answeredMs: d.answeredMs, status: d.status, accepted: d.accepted, reason: d.reason, help: helpLinkForKind(d.reasonCode), format: d.format,
      sourceIp: d.sourceIp, signalId: d.signalId, test: d.test, count: d.count, bodyBytes: d.bodyBytes, bodyTruncated: d.bodyTruncated,
      preview: d.body.slice(0, PREVIEW),
    })),
    nextCursor: rows.length > f.limit && last ? { receivedAt: last.receivedAt, id: last.id } : null,
    retentionDays: envVar("WEBHOOK_LOG_RETENTION_DAYS"),
  };
}

export async function deliveryBody(db: Db, id: string) {
  const d = await db.webhookDelivery.findUnique({ where: { id }, select: { id: true, body: true, bodyBytes: true, bodyTruncated: true } });
  if (!d) throw new AppError("NOT_FOUND", "No such delivery: it may have passed the retention period.", { field: "id" });
  return d;
}
