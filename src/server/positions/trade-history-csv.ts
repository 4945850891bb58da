/** The trade history as CSV: the same filter and rows as the page, read in keyset batches so memory stays flat at any size. */
import type { Db } from "~/server/db";
import { csvLine } from "~/server/http/csv";
import { tradeHistory, HISTORY_PAGE_MAX, type HistoryFilter, type HistoryRow } from "~/server/positions/trade-history";

export const HISTORY_CSV_COLUMNS = [
  "time", "strategy", "symbol", "side", "effect", "amount", "price", "fee", "feeCurrency", "feeInQuote", "realizedPnl", "quote", "slippagePct", "mode", "exchange", "executionId", "source",
] as const;

const cells = (r: HistoryRow) => [
  r.at, r.strategyName, r.symbol, r.side, r.effect, r.amount, r.price, r.fee, r.feeCurrency, r.feeQuote, r.realizedPnl, r.quote, r.slippagePct,
  r.paper ? "PAPER" : "LIVE", r.exchange, r.executionId, r.source,
];

export async function* tradeHistoryCsv(db: Db, userId: string, filter: HistoryFilter, batch = HISTORY_PAGE_MAX): AsyncGenerator<string> {
  yield `${HISTORY_CSV_COLUMNS.join(",")}\n`;
  let cursor: string | null = null;
  do {
    const page: Awaited<ReturnType<typeof tradeHistory>> = await tradeHistory(db, userId, filter, { cursor, limit: batch });
    if (page.items.length > 0) yield page.items.map((r) => csvLine(cells(r))).join("");
    cursor = page.nextCursor;
  } while (cursor);
}
