/**
 * A break-even alert (TradersPost's `"action": "breakeven"`): no order, the stop-loss of each
 * subscriber's open live position on the symbol moves to its entry. The plan is marked in the
 * fan-out's transaction (one statement for the page), and the protect job of each moved position
 * replaces the stop on the exchange (sync-protection.ts), exactly as after a first take-profit.
 * What each subscriber's execution row says comes from here.
 */
import type { SqlClient } from "~/server/db";
import { dec, decStr } from "~/server/money/decimal";
import { protectJob } from "~/server/positions/protection/protection-watch";
import type { JobSpec } from "~/server/jobs/job-types";

export interface BreakEvenPage {
  /** The execution message per subscription id. */
  messages: Map<string, string>;
  jobs: JobSpec[];
}

type Row = { id: string; subscriptionId: string; paper: boolean; marketType: string; side: "LONG" | "SHORT"; entry: string | null; hasStop: boolean; done: boolean };

/**
 * `marketPrice`: the price the decision step read (null when unknown). A stop at the entry while
 * the price is on the losing side would fire at once (the exchange refuses it): such a stop stays.
 */
export async function breakEvenPage(tx: SqlClient, subscriptionIds: string[], symbol: string, marketPrice: string | null): Promise<BreakEvenPage> {
  const rows = subscriptionIds.length
    ? await tx.$queryRawUnsafe<Row[]>(
        `SELECT p.id, p."subscriptionId", p.paper, p."marketType"::text AS "marketType", p.side::text AS side,
                (p."entryValue" / NULLIF(p."grossSize", 0))::text AS entry,
                (p."protectionPlan"->>'stopLoss') IS NOT NULL AS "hasStop",
                COALESCE((p."protectionPlan"->>'breakEvenDone')::boolean, false) AS done
           FROM "Position" p
          WHERE p."subscriptionId" = ANY($1::text[]) AND p.symbol = $2 AND p.side <> 'FLAT' AND p.size > 0`,
        subscriptionIds,
        symbol,
      )
    : [];
  const messages = new Map<string, string>();
  const move: string[] = [];
  for (const r of rows) {
    // A subscriber has a paper and a live book; the live one speaks when both exist.
    if (messages.has(r.subscriptionId) && r.paper) continue;
    if (r.paper) messages.set(r.subscriptionId, "Break-even alert: paper positions carry no stop-loss on an exchange, so there is nothing to move.");
    else if (r.marketType !== "LINEAR") messages.set(r.subscriptionId, "Break-even alert: spot positions carry no protective orders, so there is nothing to move.");
    else if (!r.hasStop) messages.set(r.subscriptionId, "Break-even alert: this position has no stop-loss to move; set one in the subscription's protection.");
    else if (r.done) messages.set(r.subscriptionId, "Break-even alert: the stop-loss is already at the entry.");
    else if (marketPrice !== null && r.entry !== null && (r.side === "LONG" ? dec(marketPrice).lte(r.entry) : dec(marketPrice).gte(r.entry))) {
      const where = r.side === "LONG" ? "at or below" : "at or above";
      messages.set(r.subscriptionId, `Break-even alert: the price ${decStr(marketPrice)} is ${where} the entry ${decStr(dec(r.entry).toFixed())}, so a stop there would fire at once; the stop-loss stays where it is.`);
    } else {
      messages.set(r.subscriptionId, "Break-even alert: no order; the stop-loss moves to the position's entry price.");
      move.push(r.id);
    }
  }
  for (const id of subscriptionIds) {
    if (!messages.has(id)) messages.set(id, "Break-even alert: this account holds no position for the strategy on this symbol, so there is nothing to move.");
  }
  if (move.length > 0) {
    await tx.$executeRawUnsafe(
      // The entry is the position's average now (adds since the plan was made move it).
      `UPDATE "Position"
          SET "protectionPlan" = jsonb_set(jsonb_set("protectionPlan"::jsonb, '{breakEvenDone}', 'true'::jsonb), '{entry}', to_jsonb(("entryValue" / "grossSize")::text)),
              "updatedAt" = now()
        WHERE id = ANY($1::text[]) AND "grossSize" > 0`,
      move,
    );
  }
  return { messages, jobs: move.map(protectJob) };
}
