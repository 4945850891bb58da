import type { NextRequest } from "next/server";
import { authorize } from "~/server/auth/access";
import { requestContext } from "~/server/auth/request-context";
import { AppError, httpStatusFor, isAppError } from "~/server/errors";
import { csvResponse } from "~/server/http/csv";
import { historyFilterSchema } from "~/server/positions/trade-history";
import { tradeHistoryCsv } from "~/server/positions/trade-history-csv";

export const dynamic = "force-dynamic";

/** The signed-in user's trade history as CSV, with the page's filters (strategyId, symbol, mode, from, to), streamed. */
export async function GET(req: NextRequest) {
  const ctx = await requestContext({ headers: req.headers });
  try {
    const user = await authorize(ctx, "user", { type: "route", id: "/api/positions/history.csv" });
    // An empty field is no filter, as on the page.
    const params = Object.fromEntries([...new URL(req.url).searchParams].filter(([, v]) => v.trim() !== ""));
    const parsed = historyFilterSchema.safeParse(params);
    if (!parsed.success) throw new AppError("BAD_INPUT", parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
    return csvResponse(tradeHistoryCsv(ctx.db, user.id, parsed.data), `trades-${new Date().toISOString().slice(0, 10)}.csv`);
  } catch (err) {
    if (!isAppError(err)) throw err;
    return Response.json({ error: err.message }, { status: httpStatusFor(err.code) });
  }
}
