/**
 * Shrinking the live-trading cohort on a real PostgreSQL: live users left outside are moved to PAPER
 * in the same transaction, each with an audit row and a notification (and its delivery, handed to
 * the job sink after commit); users inside stay live. The same for removal from the beta list and
 * a tier change. A refused request is told with the admin's note. Bad input names its field.
 */
import crypto from "node:crypto";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Tier, TradingMode } from "~/generated/prisma/enums";
import { createCaller } from "~/server/api/root";
import { fieldErrorsOf } from "~/server/api/trpc";
import { setTier } from "~/server/admin/users-admin";
import { previewCohort, updateCohort, type CohortActor } from "~/server/cohorts/cohort-settings";
import { decideAccessRequest, requestLiveAccess, setUserLiveAccess } from "~/server/cohorts/live-access";
import type { JobSink } from "~/server/jobs/job-sink";
import type { JobSpec } from "~/server/jobs/job-types";
import { createTestDatabase, type TestDatabase } from "~/server/test/test-db";
import { sessionAuth } from "~/server/test/test-session";

let t: TestDatabase;
const handedOver: JobSpec[] = [];
// The in-process queue's shape: nothing inside the transaction, everything after commit.
const jobs: JobSink = { addInTx: async () => undefined, afterCommit: (specs) => void handedOver.push(...specs) };
let adminId = "";
const actor = (): CohortActor => ({ db: t.database.prisma, jobs, actorId: adminId, meta: { ip: "192.0.2.7", userAgent: "vitest" } });

beforeAll(async () => {
  t = await createTestDatabase();
  process.env.NEXTAUTH_SECRET ??= "x".repeat(40);
  adminId = (await t.database.prisma.user.create({ data: { email: "admin@shrink.example.com", name: "A", passwordHash: "x", role: "ADMIN", totpEnabledAt: new Date() } })).id;
});
afterAll(async () => {
  await t.drop();
});

async function user(tier: Tier, tradingMode: TradingMode, liveAccess = false) {
  return t.database.prisma.user.create({ data: { email: `${tier.toLowerCase()}-${crypto.randomUUID()}@shrink.example.com`, name: tier, passwordHash: "x", tier, tradingMode, liveAccess } });
}
const modeOf = async (id: string) => (await t.database.prisma.user.findUniqueOrThrow({ where: { id } })).tradingMode;
const noticesOf = (userId: string) => t.database.prisma.notification.findMany({ where: { userId, kind: "LIVE_ACCESS_CHANGED" }, orderBy: { createdAt: "asc" } });
const movesOf = (userId: string) => t.database.prisma.auditLog.findMany({ where: { action: "user.trading_mode", targetId: userId, outcome: "SUCCESS" } });

describe("shrinking the live-trading cohort", () => {
  it("moves every live user outside it to PAPER, each notified and audited; users inside stay live", async () => {
    await updateCohort(actor(), { everyone: true, tiers: [] });
    const [trial, flex, pro, beta, paperTrial] = [await user("TRIAL", "PERSONAL"), await user("FLEX", "PERSONAL"), await user("PRO", "PERSONAL"), await user("TRIAL", "PERSONAL", true), await user("TRIAL", "PAPER")];

    expect(await previewCohort(t.database.prisma, { everyone: false, tiers: ["PRO"] })).toEqual({ description: "Live trading is open to PRO users and the beta list.", wouldMoveToPaper: 2 });
    handedOver.length = 0;
    const r = await updateCohort(actor(), { everyone: false, tiers: ["PRO"] });
    expect(r.movedToPaper.map((u) => u.id).sort()).toEqual([trial.id, flex.id].sort());

    for (const moved of [trial, flex]) {
      expect(await modeOf(moved.id)).toBe("PAPER");
      const notices = await noticesOf(moved.id);
      expect(notices.map((n) => n.message)).toEqual(["Live trading is now open to PRO users and the beta list only; your account was switched to PAPER: your strategies keep trading on paper."]);
      const audit = await movesOf(moved.id);
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({ actorId: adminId, ip: "192.0.2.7", details: { from: "PERSONAL", to: "PAPER", reason: "cohort_changed" } });
      // A person must know: the account's email gets it too, sent by a job handed over after commit.
      const deliveries = await t.database.prisma.notificationDelivery.findMany({ where: { notificationId: notices[0]!.id }, include: { channel: true } });
      expect(deliveries.map((d) => d.channel.type)).toEqual(["EMAIL"]);
      expect(handedOver.map((j) => (j.payload as { deliveryId: string }).deliveryId)).toContain(deliveries[0]!.id);
    }
    for (const kept of [pro, beta]) {
      expect(await modeOf(kept.id)).toBe("PERSONAL");
      expect(await noticesOf(kept.id)).toEqual([]);
    }
    expect(await modeOf(paperTrial.id)).toBe("PAPER");
    expect(await noticesOf(paperTrial.id)).toEqual([]);
    const change = await t.database.prisma.auditLog.findFirstOrThrow({ where: { action: "cohort.update" }, orderBy: { seq: "desc" } });
    expect(change).toMatchObject({ actorId: adminId, details: { from: { everyone: true, tiers: [] }, to: { everyone: false, tiers: ["PRO"] }, movedToPaper: 2 } });

    // Beta list only: the PRO user leaves too, the beta user stays.
    const r2 = await updateCohort(actor(), { everyone: false, tiers: [] });
    expect(r2.movedToPaper.map((u) => u.id)).toEqual([pro.id]);
    expect((await noticesOf(pro.id)).map((n) => n.message)).toEqual(["Live trading is now open to the beta list only; your account was switched to PAPER: your strategies keep trading on paper."]);
    expect(await modeOf(beta.id)).toBe("PERSONAL");
  });

  it("removing a live user from the beta list moves them to PAPER with a notice; adding one tells them", async () => {
    await updateCohort(actor(), { everyone: false, tiers: ["PRO"] });
    const beta = await user("TRIAL", "PERSONAL", true);
    const r = await setUserLiveAccess(actor(), { userId: beta.id, allowed: false });
    expect(r).toMatchObject({ liveAccess: false, changed: true, movedToPaper: true });
    expect(await modeOf(beta.id)).toBe("PAPER");
    expect((await noticesOf(beta.id)).map((n) => n.message)).toEqual(["Live trading is now open to PRO users and the beta list only; your account was switched to PAPER: your strategies keep trading on paper."]);
    expect((await movesOf(beta.id))[0]).toMatchObject({ details: { reason: "beta_list_removed" } });
    expect(await t.database.prisma.auditLog.count({ where: { action: "cohort.user_access", targetId: beta.id } })).toBe(1);

    // A PRO user removed from the list keeps trading live: the tier lets them.
    const pro = await user("PRO", "PERSONAL", true);
    expect(await setUserLiveAccess(actor(), { userId: pro.id, allowed: false })).toMatchObject({ changed: true, movedToPaper: false });
    expect(await modeOf(pro.id)).toBe("PERSONAL");

    expect(await setUserLiveAccess(actor(), { email: beta.email.toUpperCase(), allowed: true })).toMatchObject({ liveAccess: true, changed: true });
    expect((await noticesOf(beta.id)).at(-1)!.message).toBe("You can now trade live: switch to Personal (live) in Settings when you are ready.");
    expect(await setUserLiveAccess(actor(), { userId: beta.id, allowed: true })).toMatchObject({ changed: false });
    await expect(setUserLiveAccess(actor(), { email: "nobody@shrink.example.com", allowed: true })).rejects.toMatchObject({ code: "NOT_FOUND", field: "email" });
  });

  it("a live PRO user moved to a tier outside the cohort is moved to PAPER and told", async () => {
    await updateCohort(actor(), { everyone: false, tiers: ["PRO"] });
    const pro = await user("PRO", "PERSONAL");
    await setTier(t.database.prisma, { id: adminId, meta: null, jobs }, { userId: pro.id, tier: "FLEX" });
    expect(await modeOf(pro.id)).toBe("PAPER");
    expect(await noticesOf(pro.id)).toHaveLength(1);
    expect((await movesOf(pro.id))[0]).toMatchObject({ details: { reason: "tier_changed" } });
  });

  it("a refused request is told with the admin's note; a user who may already trade live cannot ask", async () => {
    await updateCohort(actor(), { everyone: false, tiers: ["PRO"] });
    const trial = await user("TRIAL", "PAPER");
    const req = await requestLiveAccess({ db: t.database.prisma, userId: trial.id, meta: null, jobs }, { message: "Trading for a year" });
    // Every admin is told at once, in the bell (and by the email channel's deliveries).
    const told = await t.database.prisma.notification.findMany({ where: { userId: adminId, kind: "LIVE_ACCESS_REQUESTED" } });
    expect(told.map((n) => n.message)).toEqual([`${trial.email} (TRIAL) asks for live trading: "Trading for a year" Approve or refuse it on Admin → Users.`]);
    expect(await t.database.prisma.notificationDelivery.count({ where: { notificationId: told[0]!.id } })).toBe(1);
    expect(await t.database.prisma.notification.count({ where: { userId: trial.id, kind: "LIVE_ACCESS_REQUESTED" } })).toBe(0);
    const decided = await decideAccessRequest(actor(), { requestId: req.id, decision: "refuse", note: "Finish the trial on paper first" });
    expect(decided).toMatchObject({ status: "REFUSED", decisionNote: "Finish the trial on paper first" });
    expect((await noticesOf(trial.id)).map((n) => n.message)).toEqual([
      "Your request for live trading was refused: Finish the trial on paper first. Live trading is open to PRO users and the beta list for now.",
    ]);
    expect((await t.database.prisma.user.findUniqueOrThrow({ where: { id: trial.id } })).liveAccess).toBe(false);
    expect(await t.database.prisma.auditLog.findFirst({ where: { action: "cohort.decide", targetId: req.id } })).toMatchObject({ actorId: adminId, details: { decision: "REFUSED" } });
    // Refused, they may ask again.
    await expect(requestLiveAccess({ db: t.database.prisma, userId: trial.id, meta: null }, { message: "Trial done" })).resolves.toMatchObject({ status: "PENDING" });

    const pro = await user("PRO", "PAPER");
    await expect(requestLiveAccess({ db: t.database.prisma, userId: pro.id, meta: null }, { message: null })).rejects.toMatchObject({ code: "CONFLICT", message: /already trade live/ });
    await expect(decideAccessRequest(actor(), { requestId: "nope", decision: "approve", note: null })).rejects.toMatchObject({ code: "NOT_FOUND", field: "requestId" });
  });

  it("bad input is refused with the field named", async () => {
    const auth = await sessionAuth(t.database.prisma, adminId);
    const admin = createCaller({ db: t.database.prisma, auth, meta: { ip: "192.0.2.7", userAgent: "vitest" }, headers: new Headers() });
    const fieldsOf = async (p: Promise<unknown>) => {
      const err = await p.catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TRPCError);
      expect((err as TRPCError).code).toBe("BAD_REQUEST");
      return fieldErrorsOf((err as TRPCError).cause);
    };
    expect(await fieldsOf(admin.cohorts.update({ everyone: true, tiers: ["PRO"] }))).toEqual({ tiers: "tiers must be empty when everyone is true: pick everyone, or the tiers" });
    expect(await fieldsOf(admin.cohorts.update({ everyone: false, tiers: ["GOLD" as "PRO"] }))).toEqual({ "tiers.0": "tiers: each must be one of PRO, FLEX, TRIAL" });
    expect(Object.keys((await fieldsOf(admin.cohorts.update({} as never)))!)).toEqual(["everyone"]);
    expect(Object.keys((await fieldsOf(admin.cohorts.decide({ requestId: "x", decision: "maybe" as "approve" })))!)).toEqual(["decision"]);
    expect(Object.keys((await fieldsOf(admin.cohorts.setUserAccess({ userId: "", allowed: true })))!)).toEqual(["userId"]);
    const me = createCaller({ db: t.database.prisma, auth: await sessionAuth(t.database.prisma, (await user("TRIAL", "OFF")).id), meta: { ip: "192.0.2.8", userAgent: "vitest" }, headers: new Headers() });
    expect(await fieldsOf(me.cohorts.requestAccess({ message: "x".repeat(501) }))).toEqual({ message: "message must be at most 500 characters" });
  });
});
