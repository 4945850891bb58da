/**
 * The satisfaction prompt on a real database: when it is due (3 filled orders, 30 days after an
 * answer or a dismissal, never during a failure streak), what answering stores and audits, the
 * refusals (not due, bad score), and the admins' report computed exactly on a known set.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "~/server/db";
import { isAppError } from "~/server/errors";
import { answer, dismiss, promptFor } from "~/server/satisfaction/satisfaction-prompt";
import { satisfactionReport } from "~/server/satisfaction/satisfaction-report";
import { seedSatisfactionSamples } from "~/server/satisfaction/satisfaction-samples";
import { createTestDatabase, type TestDatabase } from "~/server/test/test-db";
import { insertStrategy } from "~/server/test/strategy-fixtures";

let t: TestDatabase;
let db: Db;
let seq = 0;
const DAY = 86_400_000;
const T0 = new Date("2026-06-01T12:00:00Z");
const at = (days: number) => new Date(T0.getTime() + days * DAY);

beforeAll(async () => {
  t = await createTestDatabase({ prefix: "kr_satisfaction" });
  db = t.database.prisma;
});
afterAll(async () => {
  await t?.drop();
});

type Status = "FILLED" | "FAILED" | "REJECTED" | "SKIPPED";

/** A user subscribed to a strategy, with `orders` executions (oldest first) queued a minute apart before T0. */
async function trader(orders: Status[], tier: "PRO" | "FLEX" | "TRIAL" = "PRO") {
  const user = await db.user.create({ data: { email: `sat${seq++}-${Date.now()}@example.com`, name: "S", passwordHash: "x", tier, tradingMode: "PAPER" } });
  const strategy = await insertStrategy(db, { name: `S${seq++}`, allowedSymbols: ["BTC/USDT"] });
  const sub = await db.subscription.create({ data: { userId: user.id, strategyId: strategy.id, sizingValue: 50 } });
  const add = async (status: Status, queuedAt: Date) => {
    const signal = await db.signal.create({ data: { strategyId: strategy.id, dedupeKey: `k${seq++}`, action: "buy", symbol: "BTC/USDT", alert: {}, status: "DONE" } });
    const id = `xs${seq++}${Date.now().toString(36)}`;
    await db.execution.create({
      data: { id, signalId: signal.id, subscriptionId: sub.id, userId: user.id, tier, priority: 0, clientOrderId: `kr-${id}`, status, paper: true, symbol: "BTC/USDT", side: "buy", queuedAt },
    });
  };
  for (const [i, s] of orders.entries()) await add(s, new Date(T0.getTime() - (orders.length - i) * 60_000));
  return { user, add };
}

async function refusal(p: Promise<unknown>) {
  try {
    await p;
  } catch (err) {
    if (isAppError(err)) return { code: err.code, field: err.field, message: err.message };
    throw err;
  }
  throw new Error("expected a refusal");
}

describe("promptFor", () => {
  it("waits for 3 filled orders (skips and failures do not count), then asks", async () => {
    const { user, add } = await trader(["FILLED", "SKIPPED", "FILLED", "FAILED"]);
    expect(await promptFor(db, user.id, T0)).toMatchObject({ show: false, why: expect.stringContaining("Fewer than 3 filled orders") });
    await add("FILLED", new Date(T0.getTime() - 1000));
    expect(await promptFor(db, user.id, T0)).toEqual({ show: true });
  });

  it("an answer stores the score, comment and tier, is audited without the comment, and hides the prompt for 30 days", async () => {
    const { user } = await trader(["FILLED", "FILLED", "FILLED"], "FLEX");
    await answer(db, { userId: user.id, meta: { ip: "192.0.2.7", userAgent: "test" } }, { score: 8, comment: "  Fast fills, secret-ish words  " }, T0);
    const row = await db.satisfactionResponse.findFirstOrThrow({ where: { userId: user.id } });
    expect(row).toMatchObject({ score: 8, comment: "Fast fills, secret-ish words", tier: "FLEX", dismissed: false, createdAt: T0 });

    const audit = await db.auditLog.findFirstOrThrow({ where: { action: "satisfaction.answer", actorId: user.id } });
    expect(audit.details).toEqual({ score: 8, commentLength: 28, tier: "FLEX" });
    expect(JSON.stringify(audit, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v))).not.toContain("secret-ish");

    expect((await promptFor(db, user.id, at(29.9))).show).toBe(false);
    expect(await promptFor(db, user.id, at(30))).toEqual({ show: true });
  });

  it("a dismissal stores no score and hides the prompt for 30 days too", async () => {
    const { user } = await trader(["FILLED", "FILLED", "FILLED"], "TRIAL");
    await dismiss(db, { userId: user.id }, T0);
    expect(await db.satisfactionResponse.findFirstOrThrow({ where: { userId: user.id } })).toMatchObject({ score: null, comment: null, dismissed: true, tier: "TRIAL" });
    expect(await db.auditLog.count({ where: { action: "satisfaction.dismiss", actorId: user.id } })).toBe(1);
    expect(await promptFor(db, user.id, at(29))).toMatchObject({ show: false, why: expect.stringContaining("Dismissed") });
    expect((await promptFor(db, user.id, at(30))).show).toBe(true);
  });

  it("never asks during a failure streak, even when due; asks again once an order succeeds", async () => {
    const { user, add } = await trader(["FILLED", "FILLED", "FILLED", "FAILED", "SKIPPED", "REJECTED", "FAILED"]);
    expect(await promptFor(db, user.id, T0)).toMatchObject({ show: false, why: expect.stringContaining("latest 3 orders failed") });
    expect(await refusal(answer(db, { userId: user.id }, { score: 2 }, T0))).toMatchObject({ code: "CONFLICT" });
    await add("FILLED", new Date(T0.getTime() - 1000));
    expect(await promptFor(db, user.id, T0)).toEqual({ show: true });
  });

  it("never asks within a day of a key being disabled", async () => {
    const { user } = await trader(["FILLED", "FILLED", "FILLED"]);
    await db.exchangeCredential.create({ data: { userId: user.id, exchange: "BYBIT", apiKey: `APIKEY${seq++}abcdefgh`, sealedSecret: "s", keyId: "k", status: "DISABLED", updatedAt: at(-0.5) } });
    expect(await promptFor(db, user.id, T0)).toMatchObject({ show: false, why: expect.stringContaining("disabled") });
    expect((await promptFor(db, user.id, at(1))).show).toBe(true);
  });

  it("refuses an answer when no prompt is due (a script cannot stuff scores)", async () => {
    const { user } = await trader(["FILLED"]);
    const r = await refusal(answer(db, { userId: user.id }, { score: 10 }, T0));
    expect(r.code).toBe("CONFLICT");
    expect(r.message).toMatch(/No satisfaction question is waiting/);
    expect(await refusal(dismiss(db, { userId: user.id }, T0))).toMatchObject({ code: "CONFLICT" });

    const { user: due } = await trader(["FILLED", "FILLED", "FILLED"]);
    await answer(db, { userId: due.id }, { score: 10 }, T0);
    expect(await refusal(answer(db, { userId: due.id }, { score: 10 }, at(1)))).toMatchObject({ code: "CONFLICT" });
    expect(await db.satisfactionResponse.count({ where: { userId: { in: [user.id, due.id] } } })).toBe(1);
  });

  it("refuses a score that is not a whole number from 0 to 10, naming score; and an over-long comment, naming comment", async () => {
    const { user } = await trader(["FILLED", "FILLED", "FILLED"]);
    for (const score of [11, -1, 3.5, "7", undefined]) expect(await refusal(answer(db, { userId: user.id }, { score }, T0))).toMatchObject({ code: "BAD_INPUT", field: "score" });
    expect(await refusal(answer(db, { userId: user.id }, { score: 5, comment: "x".repeat(1001) }, T0))).toMatchObject({ code: "BAD_INPUT", field: "comment" });
    expect(await db.satisfactionResponse.count({ where: { userId: user.id } })).toBe(0);
  });
});

describe("satisfactionReport", () => {
  it("computes averages, NPS, response rate per tier and over time exactly, with the latest comments", async () => {
    await db.satisfactionResponse.deleteMany({});
    const asOf = new Date("2026-09-30T12:00:00Z");
    const u = async (tier: "PRO" | "FLEX" | "TRIAL") => (await trader([], tier)).user;
    const [p1, p2, f1, f2, tr] = [await u("PRO"), await u("PRO"), await u("FLEX"), await u("FLEX"), await u("TRIAL")];
    const row = (userId: string, tier: "PRO" | "FLEX" | "TRIAL", createdAt: string, score: number | null, comment: string | null = null) =>
      db.satisfactionResponse.create({ data: { userId, tier, createdAt: new Date(createdAt), score, comment, dismissed: score === null } });
    // PRO: 10, 9, 6 -> avg 8.333..., NPS (2-1)/3 = 33.3...
    await row(p1.id, "PRO", "2026-08-10T10:00:00Z", 10, "Love it <script>alert(1)</script>");
    await row(p2.id, "PRO", "2026-08-20T10:00:00Z", 9);
    await row(p1.id, "PRO", "2026-09-15T10:00:00Z", 6, "Slower lately");
    // FLEX: 7, 8 (passives) -> avg 7.5, NPS 0; one dismissal
    await row(f1.id, "FLEX", "2026-09-01T10:00:00Z", 7);
    await row(f2.id, "FLEX", "2026-09-02T10:00:00Z", 8);
    await row(f2.id, "FLEX", "2026-08-03T10:00:00Z", null);
    // TRIAL: only a dismissal; and an answer outside the window
    await row(tr.id, "TRIAL", "2026-09-20T10:00:00Z", null);
    await row(tr.id, "TRIAL", "2025-01-05T10:00:00Z", 0, "Too old to count");

    const r = await satisfactionReport(db, { days: 365, asOf });
    expect(r.window).toEqual({ days: 365, from: "2025-10-01", to: "2026-09-30", bucket: "month" });
    const tier = (k: string) => r.perTier.find((x) => x.tier === k)!;
    expect(tier("PRO")).toMatchObject({ answers: 3, dismissals: 0, promoters: 2, detractors: 1 });
    expect(tier("PRO").average).toBeCloseTo(25 / 3, 10);
    expect(tier("PRO").nps).toBeCloseTo(100 / 3, 10);
    expect(tier("FLEX")).toEqual({ tier: "FLEX", answers: 2, dismissals: 1, average: 7.5, promoters: 0, detractors: 0, nps: 0 });
    expect(tier("TRIAL")).toEqual({ tier: "TRIAL", answers: 0, dismissals: 1, average: null, promoters: 0, detractors: 0, nps: null });
    // All: 10, 9, 6, 7, 8 -> avg 8, NPS (2-1)/5 = 20; 5 answers of 7 asked.
    expect(tier("ALL")).toEqual({ tier: "ALL", answers: 5, dismissals: 2, average: 8, promoters: 2, detractors: 1, nps: 20 });
    expect(r.responseRate).toBeCloseTo(500 / 7, 10);

    expect(r.overTime).toHaveLength(12);
    expect(r.overTime[0]!.start).toBe("2025-10-01");
    const month = (m: string) => r.overTime.find((x) => x.start === m)!;
    expect(month("2026-08-01")).toMatchObject({ answers: 2, dismissals: 1, average: 9.5, nps: 100 });
    expect(month("2026-09-01")).toMatchObject({ answers: 3, dismissals: 1, average: 7, nps: -100 / 3 });
    expect(month("2026-07-01")).toMatchObject({ answers: 0, average: null, nps: null });

    expect(r.comments.map((c) => [c.comment, c.score, c.tier, c.userEmail])).toEqual([
      ["Slower lately", 6, "PRO", p1.email],
      ["Love it <script>alert(1)</script>", 10, "PRO", p1.email],
    ]);

    const weekly = await satisfactionReport(db, { days: 30, asOf });
    expect(weekly.window.bucket).toBe("week");
    expect(weekly.overTime.every((w) => new Date(`${w.start}T00:00:00Z`).getUTCDay() === 1)).toBe(true);
    expect(weekly.perTier.find((x) => x.tier === "ALL")).toMatchObject({ answers: 3, dismissals: 1 });
    await expect(satisfactionReport(db, { days: 3 })).rejects.toMatchObject({ code: "BAD_INPUT", field: "days" });
  });
});

describe("seedSatisfactionSamples (the demo)", () => {
  it("gives each demo user a few past answers once, leaving the prompt free to appear", async () => {
    const { user } = await trader(["FILLED", "FILLED", "FILLED"], "PRO");
    expect(await seedSatisfactionSamples(db, [{ id: user.id, tier: "PRO" }], T0)).toBe(2);
    expect(await seedSatisfactionSamples(db, [{ id: user.id, tier: "PRO" }], T0)).toBe(0);
    expect(await db.satisfactionResponse.count({ where: { userId: user.id } })).toBe(2);
    expect(await promptFor(db, user.id, T0)).toEqual({ show: true });
  });
});
