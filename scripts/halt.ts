/**
 * Operator CLI for halts of live trading (the same rules as Admin -> Trading controls), audited
 * with no actor (actorEmail "cli"):
 *   npm run halt -- on --reason R [--exchange BYBIT|BINANCE | --strategy ID]
 *   npm run halt -- off [--exchange BYBIT|BINANCE | --strategy ID] [--reason R]
 *   npm run halt -- status
 * Every admin is told in the bell; with PostgreSQL the worker also sends their email.
 */
import { parseArgs } from "node:util";
import { ZodError } from "zod";
import { closeDatabase, getDatabase } from "~/server/db";
import { isAppError } from "~/server/errors";
import { haltTargetLabel } from "~/server/halts/halt-rules";
import { activeHalts, haltTrading, resumeTrading } from "~/server/halts/halts";
import { addJobsSql } from "~/server/jobs/graphile-queue";
import type { JobSink } from "~/server/jobs/job-sink";

const USAGE = [
  "usage: npm run halt -- on --reason R [--exchange BYBIT|BINANCE | --strategy ID]",
  "       npm run halt -- off [--exchange BYBIT|BINANCE | --strategy ID] [--reason R]",
  "       npm run halt -- status",
].join("\n");

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { reason: { type: "string" }, exchange: { type: "string" }, strategy: { type: "string" } },
});

const database = getDatabase();
// The PostgreSQL queue takes the admins' email deliveries now; the embedded database's queue lives in the web process (bell only).
const jobs: JobSink | null = database.kind === "postgres" ? { addInTx: addJobsSql, afterCommit: () => undefined } : null;
const deps = { db: database.prisma, jobs };
const target = () => {
  if (values.exchange && values.strategy) throw new Error("give --exchange or --strategy, not both");
  if (values.exchange) return { scope: "EXCHANGE" as const, exchange: values.exchange.toUpperCase() as "BYBIT", strategyId: null };
  if (values.strategy) return { scope: "STRATEGY" as const, exchange: null, strategyId: values.strategy };
  return { scope: "ALL" as const, exchange: null, strategyId: null };
};

try {
  const command = positionals[0];
  if (command === "status") {
    const halts = await activeHalts(deps.db);
    if (halts.length === 0) console.log("live trading runs everywhere: no active halt");
    for (const h of halts) console.log(`HALTED ${haltTargetLabel(h)} (id ${h.id}): ${h.reason}`);
  } else if (command === "on") {
    const h = await haltTrading(deps, { id: null }, { ...target(), reason: values.reason ?? "", confirm: "HALT" });
    console.log(`halted live trading on ${h.target} (id ${h.id}): ${h.reason}`);
  } else if (command === "off") {
    const t = target();
    const halt = (await activeHalts(deps.db)).find((h) => h.scope === t.scope && h.exchange === (t.exchange ?? null) && h.strategyId === (t.strategyId ?? null));
    if (!halt) {
      console.error(`no active halt of ${haltTargetLabel({ ...t, strategyName: null })}; see: npm run halt -- status`);
      process.exitCode = 1;
    } else {
      const r = await resumeTrading(deps, { id: null }, { id: halt.id, reason: values.reason });
      console.log(`resumed live trading on ${r.target}`);
    }
  } else {
    console.error(USAGE);
    process.exitCode = 2;
  }
} catch (err) {
  if (err instanceof ZodError) {
    for (const i of err.issues) console.error(`--${i.path.join(".")}: ${i.message}`);
    console.error(USAGE);
    process.exitCode = 2;
  } else if (isAppError(err) || err instanceof Error) {
    console.error(err.message);
    process.exitCode = 1;
  } else throw err;
} finally {
  await closeDatabase();
}
