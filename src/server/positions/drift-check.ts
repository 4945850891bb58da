/**
 * The drift check: does each account still hold what the strategy's ledger says? Run at worker
 * start (every open live position) and after each fan-out (the positions it touched).
 *
 * - The account holds less (the user closed or sold by hand): the ledger follows the account, at
 *   cost, with a note on the position for the user and an audit row for admins. KeyRelay never
 *   sells what the user does not hold, so the next close sends only what is there.
 * - The account holds more (the user's own coins or contracts): nothing changes; those are the
 *   user's, and a note says the ledger only counts the strategy's.
 * A position with an order still in flight is left for the next check: its fill may be on the
 * exchange and not yet in the ledger. A position booked while the account was being read is left
 * alone too (compare-and-set on its last update).
 */
import type { Prisma } from "~/generated/prisma/client";
import { writeAudit } from "~/server/audit/write-audit";
import type { EngineDeps } from "~/server/engine/engine-deps";
import { IN_FLIGHT } from "~/server/engine/execution-state";
import type { CredentialRef } from "~/server/exchanges/exchange-clients";
import { logger } from "~/server/logger";
import { dec } from "~/server/money/decimal";
import { shrinkTo, type Book } from "~/server/positions/ledger-math";
import { parseSymbol } from "~/server/positions/position-ledger";

export type DriftScope = { signalId: string } | { all: true };

export interface DriftReport {
  checked: number;
  followed: number;
  skipped: number;
  failed: number;
}

const SIDE = { LONG: "long", SHORT: "short", FLAT: "flat" } as const;

export async function checkDrift(deps: EngineDeps, scope: DriftScope): Promise<DriftReport> {
  const where: Prisma.PositionWhereInput = { paper: false, side: { not: "FLAT" } };
  if ("signalId" in scope) {
    const touched = await deps.db.execution.findMany({ where: { signalId: scope.signalId }, select: { subscriptionId: true, symbol: true } });
    if (touched.length === 0) return { checked: 0, followed: 0, skipped: 0, failed: 0 };
    where.OR = touched.map((t) => ({ subscriptionId: t.subscriptionId, symbol: t.symbol }));
  }
  const positions = await deps.db.position.findMany({
    where,
    include: { subscription: { include: { credential: true } } },
    take: 10_000,
  });
  const report: DriftReport = { checked: 0, followed: 0, skipped: 0, failed: 0 };
  // Positions with an order in flight (few at any moment), in one query rather than one per position.
  const inFlight = await deps.db.execution.findMany({
    where: { paper: false, status: { in: [...IN_FLIGHT] } },
    select: { subscriptionId: true, symbol: true },
    distinct: ["subscriptionId", "symbol"],
  });
  const busy = new Set(inFlight.map((x) => `${x.subscriptionId} ${x.symbol}`));
  // A background check: a few account reads at a time, so it never crowds out a fan-out.
  await eachLimited(positions, DRIFT_CONCURRENCY, async (p) => {
    const cred = p.subscription.credential;
    if (!cred || cred.status !== "ACTIVE") return void report.skipped++;
    if (busy.has(`${p.subscriptionId} ${p.symbol}`)) return void report.skipped++;
    try {
      const held = await accountHolds(deps, cred, p.symbol, SIDE[p.side] as "long" | "short");
      report.checked++;
      if (held.gte(p.size.toString())) return;
      const book: Book = {
        side: SIDE[p.side], size: p.size.toString(), grossSize: p.grossSize.toString(), entryValue: p.entryValue.toString(),
        openFees: p.openFees.toString(), realizedPnl: p.realizedPnl.toString(), feesPaid: p.feesPaid.toString(),
      };
      const next = shrinkTo(book, held.toFixed());
      const base = parseSymbol(p.symbol).base;
      const note = `The account held ${held.toFixed()} ${base} where the strategy's ledger said ${book.size}: the position was closed or reduced outside KeyRelay, so the ledger now follows the account.`;
      const changed = await deps.db.$transaction(async (tx) => {
        // An order sent since the snapshot above may have moved the account before its fill is booked.
        const sending = await tx.execution.count({ where: { subscriptionId: p.subscriptionId, symbol: p.symbol, paper: false, status: { in: [...IN_FLIGHT] } } });
        if (sending > 0) return false;
        const n = await tx.position.updateMany({
          where: { id: p.id, updatedAt: p.updatedAt },
          data: {
            side: next.side === "flat" ? "FLAT" : p.side, size: next.size, grossSize: next.grossSize, entryValue: next.entryValue, openFees: next.openFees,
            driftNote: note, driftAt: new Date(), ...(next.side === "flat" ? { closedAt: new Date() } : {}),
          },
        });
        if (n.count === 1) {
          await writeAudit(tx, {
            action: "position.drift", outcome: "SUCCESS", actorId: p.userId, actorEmail: "engine", targetType: "position", targetId: p.id,
            details: { symbol: p.symbol, ledger: book.size, account: held.toFixed() },
          });
        }
        return n.count === 1;
      });
      if (changed) report.followed++;
      else report.skipped++;
    } catch (err) {
      report.failed++;
      logger.warn({ err, positionId: p.id }, "drift check could not read the account; the next check tries again");
    }
  });
  if (report.followed || report.failed) logger.info(report, "drift check");
  return report;
}

/** Account reads in flight at once per drift check. */
const DRIFT_CONCURRENCY = 4;

async function eachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

async function accountHolds(deps: EngineDeps, cred: CredentialRef, symbol: string, side: "long" | "short") {
  if (parseSymbol(symbol).marketType === "LINEAR") {
    const positions = await deps.adapter.fetchPositions(cred, [symbol]);
    const pos = positions.find((x) => x.side === side);
    return pos ? dec(pos.contracts).abs() : dec(0);
  }
  const balance = await deps.adapter.fetchBalance(cred);
  const total = dec(balance.total[parseSymbol(symbol).base] ?? "0");
  return total.isNegative() ? dec(0) : total;
}
