/**
 * What the Positions page shows of a position's protection: the protective orders KeyRelay has on the
 * exchange for it (and the ones that filled since it opened), the notes of its plan, and whether it is
 * flagged unprotected. Read-only; the orders' lifecycle is positions/protection/sync-protection.ts.
 */
import type { ProtectionKind, ProtectionStatus } from "~/generated/prisma/enums";
import type { Db } from "~/server/db";
import { decStr } from "~/server/money/decimal";

/** Resting on the exchange, or stored and not yet confirmed (the Prisma enum's "not done" values). */
const LIVE: ProtectionStatus[] = ["PENDING", "OPEN"];
const FILLED: ProtectionStatus = "FILLED";

export interface ProtectiveOrderView {
  id: string;
  kind: ProtectionKind;
  /** Take-profit level 1..n; 0 for the stop-loss and the trailing stop. */
  level: number;
  status: ProtectionStatus;
  side: "buy" | "sell";
  amount: string;
  triggerPrice: string | null;
  callbackPct: string | null;
  filledAmount: string | null;
  averagePrice: string | null;
  message: string | null;
  updatedAt: Date;
}

export interface PositionProtection {
  protectiveOrders: ProtectiveOrderView[];
  /** Why a level was left out when the position opened (from its plan). */
  protectionNotes: string[];
  /** The stop-loss has moved to the entry after the first take-profit. */
  breakEvenDone: boolean;
  unprotectedAt: Date | null;
  protectionNote: string | null;
}

const opt = (v: { toString(): string } | null) => (v === null ? null : decStr(v.toString()));

/** Each position's protection, by id: live orders, plus those that filled since the position opened. */
export async function protectionOf(
  db: Db,
  positions: { id: string; openedAt: Date | null; protectionPlan: unknown; unprotectedAt: Date | null; protectionNote: string | null }[],
): Promise<Map<string, PositionProtection>> {
  const ids = positions.map((p) => p.id);
  const rows = ids.length
    ? await db.protectiveOrder.findMany({
        where: { positionId: { in: ids }, status: { in: [...LIVE, FILLED] } },
        orderBy: [{ kind: "asc" }, { level: "asc" }, { createdAt: "asc" }],
      })
    : [];
  const out = new Map<string, PositionProtection>();
  for (const p of positions) {
    const plan = (p.protectionPlan ?? null) as { notes?: unknown; breakEvenDone?: unknown } | null;
    const mine = rows.filter((r) => r.positionId === p.id && (r.status !== FILLED || (p.openedAt !== null && r.createdAt >= p.openedAt)));
    out.set(p.id, {
      protectiveOrders: mine.map((r) => ({
        id: r.id,
        kind: r.kind,
        level: r.level,
        status: r.status,
        side: r.side === "buy" ? "buy" : "sell",
        amount: decStr(r.amount.toString()),
        triggerPrice: opt(r.triggerPrice),
        callbackPct: opt(r.callbackPct),
        filledAmount: opt(r.filledAmount),
        averagePrice: opt(r.averagePrice),
        message: r.message,
        updatedAt: r.updatedAt,
      })),
      protectionNotes: Array.isArray(plan?.notes) ? plan.notes.filter((n): n is string => typeof n === "string") : [],
      breakEvenDone: plan?.breakEvenDone === true,
      unprotectedAt: p.unprotectedAt,
      protectionNote: p.protectionNote,
    });
  }
  return out;
}

/** Open positions flagged unprotected (no stop-loss on the exchange), for admins, oldest flag first. */
export async function unprotectedPositions(db: Db, limit = 100) {
  const where = { side: { not: "FLAT" as const }, unprotectedAt: { not: null } };
  const [count, rows] = await Promise.all([
    db.position.count({ where }),
    db.position.findMany({
      where,
      orderBy: [{ unprotectedAt: "asc" }, { id: "asc" }],
      take: limit,
      select: {
        id: true, symbol: true, side: true, size: true, exchange: true, unprotectedAt: true, protectionNote: true,
        subscription: { select: { user: { select: { email: true } }, strategy: { select: { name: true } } } },
      },
    }),
  ]);
  return {
    count,
    items: rows.map((r) => ({
      id: r.id,
      userEmail: r.subscription.user.email,
      strategyName: r.subscription.strategy.name,
      symbol: r.symbol,
      side: r.side === "SHORT" ? ("SHORT" as const) : ("LONG" as const),
      size: decStr(r.size.toString()),
      exchange: r.exchange,
      unprotectedAt: r.unprotectedAt!,
      protectionNote: r.protectionNote,
    })),
  };
}
