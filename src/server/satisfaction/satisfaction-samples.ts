/**
 * Sample answers for the demo (scripts/demo.ts), so Admin -> Metrics -> User satisfaction is not
 * empty on a fresh demo. Written directly, not through answer(): they are history, dated 35 to 95
 * days back, which also leaves each demo user's prompt free to appear once they have filled orders.
 * Idempotent: a user who already has a response gets none.
 */
import type { Db } from "~/server/db";

const DAY_MS = 86_400_000;
const SAMPLES: Record<"PRO" | "FLEX" | "TRIAL", { daysAgo: number; score: number | null; comment?: string }[]> = {
  PRO: [
    { daysAgo: 95, score: 9, comment: "Orders land on Bybit within a second of the alert." },
    { daysAgo: 35, score: 10 },
  ],
  FLEX: [
    { daysAgo: 65, score: 7, comment: "Works well; I would like a weekly PnL email." },
    { daysAgo: 35, score: null },
  ],
  TRIAL: [{ daysAgo: 40, score: 5, comment: "Setting up the API key permissions took me a while." }],
};

export async function seedSatisfactionSamples(db: Db, users: { id: string; tier: "PRO" | "FLEX" | "TRIAL" }[], now = new Date()): Promise<number> {
  let created = 0;
  for (const u of users) {
    if ((await db.satisfactionResponse.count({ where: { userId: u.id } })) > 0) continue;
    for (const s of SAMPLES[u.tier]) {
      await db.satisfactionResponse.create({
        data: { userId: u.id, tier: u.tier, score: s.score, comment: s.comment ?? null, dismissed: s.score === null, createdAt: new Date(now.getTime() - s.daysAgo * DAY_MS) },
      });
      created++;
    }
  }
  return created;
}
