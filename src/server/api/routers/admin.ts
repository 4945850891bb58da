/** Admin console: audit log (list, detail, chain check) and users. Every view is itself audited. */
import { z } from "zod";
import { adminProcedure, createTRPCRouter } from "~/server/api/trpc";
import { auditFilterSchema, getAuditRow, listAudit, verifyAuditChainIn } from "~/server/audit/audit-query";
import { writeAudit } from "~/server/audit/write-audit";
import { listUsers, setDisabled, setTier, setTierInput, usersListInput } from "~/server/admin/users-admin";
import { AppError } from "~/server/errors";
import { getJobSink } from "~/server/keys/exchange-access";

const auditRow = z.object({
  id: z.string(),
  seq: z.string().nullable(),
  createdAt: z.date(),
  actorId: z.string().nullable(),
  actorEmail: z.string().nullable(),
  action: z.string(),
  outcome: z.enum(["SUCCESS", "FAILURE", "DENIED"]),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  details: z.unknown(),
  hash: z.string().nullable(),
  prevHash: z.string().nullable(),
});

const userRow = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: z.enum(["USER", "ADMIN"]),
  tier: z.enum(["PRO", "FLEX", "TRIAL"]),
  trialEndsAt: z.date().nullable(),
  tradingMode: z.enum(["PERSONAL", "PAPER", "OFF"]),
  liveAccess: z.boolean(),
  disabled: z.boolean(),
  createdAt: z.date(),
  lastActivityAt: z.date().nullable(),
  keys: z.array(z.object({ exchange: z.enum(["BINANCE", "BYBIT"]), environment: z.enum(["LIVE", "TESTNET", "DEMO"]), status: z.enum(["UNVERIFIED", "ACTIVE", "DISABLED", "REJECTED"]) })),
});

export const adminRouter = createTRPCRouter({
  auditList: adminProcedure
    .input(z.object({ filter: auditFilterSchema.default({}), cursor: z.string().regex(/^\d+$/).nullish(), limit: z.number().int().min(1).max(200).default(50) }))
    .output(z.object({ items: z.array(auditRow), nextCursor: z.string().nullable() }))
    .query(async ({ ctx, input }) => {
      const page = await listAudit(ctx.db, input.filter, { cursor: input.cursor ?? null, limit: input.limit });
      await writeAudit(ctx.db, { action: "admin.audit.view", outcome: "SUCCESS", actorId: ctx.user.id, meta: ctx.meta, details: { filter: JSON.parse(JSON.stringify(input.filter)), cursor: input.cursor ?? null } });
      return page;
    }),
  auditDetail: adminProcedure
    .input(z.object({ id: z.string().regex(/^\d+$/, "id must be a number") }))
    .output(auditRow)
    .query(async ({ ctx, input }) => {
      const row = await getAuditRow(ctx.db, input.id);
      if (!row) throw new AppError("NOT_FOUND", "No such audit row.");
      await writeAudit(ctx.db, { action: "admin.audit.detail", outcome: "SUCCESS", actorId: ctx.user.id, meta: ctx.meta, targetType: "audit", targetId: input.id });
      return row;
    }),
  auditVerify: adminProcedure
    .output(z.object({ ok: z.boolean(), checked: z.number(), firstBroken: z.object({ id: z.string(), seq: z.string(), reason: z.string() }).nullable() }))
    .mutation(async ({ ctx }) => {
      const r = await verifyAuditChainIn(ctx.db);
      await writeAudit(ctx.db, { action: "admin.audit.verify", outcome: r.ok ? "SUCCESS" : "FAILURE", actorId: ctx.user.id, meta: ctx.meta, details: { checked: r.checked, firstBroken: r.firstBroken } });
      return r;
    }),
  users: adminProcedure
    .input(usersListInput)
    .output(z.object({ items: z.array(userRow), nextCursor: z.string().nullable() }))
    .query(async ({ ctx, input }) => {
      const r = await listUsers(ctx.db, input);
      await writeAudit(ctx.db, { action: "admin.users.view", outcome: "SUCCESS", actorId: ctx.user.id, meta: ctx.meta });
      return r;
    }),
  setTier: adminProcedure
    .input(setTierInput)
    .output(z.object({ id: z.string(), tier: z.enum(["PRO", "FLEX", "TRIAL"]), trialEndsAt: z.date().nullable() }))
    .mutation(({ ctx, input }) => setTier(ctx.db, { id: ctx.user.id, meta: ctx.meta, jobs: getJobSink() }, input)),
  setDisabled: adminProcedure
    .input(z.object({ userId: z.string(), disabled: z.boolean() }))
    .output(z.object({ id: z.string(), disabled: z.boolean() }))
    .mutation(({ ctx, input }) => setDisabled(ctx.db, { id: ctx.user.id, meta: ctx.meta }, input)),
});
