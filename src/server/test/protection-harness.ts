/**
 * The engine as production runs it, for protection scenarios: a throwaway PostgreSQL, the exchange
 * simulator, graphile-worker running the real tasks, and unmodified ccxt in between. Alerts go in
 * through receiveSignal (the webhook's own entry point); what is on the exchange is read from the
 * simulator's ledger (every order by the API key that signed it).
 */
import crypto from "node:crypto";
import { expect } from "vitest";
import type { EngineDeps } from "~/server/engine/engine-deps";
import { graphileSink, makeTasks } from "~/server/engine/runtime";
import { ExchangeAdapter } from "~/server/exchanges/exchange-adapter";
import { ExchangeClients } from "~/server/exchanges/exchange-clients";
import { startGraphileWorker, type WorkerHandle } from "~/server/jobs/graphile-queue";
import { receiveSignal } from "~/server/signals/receive-signal";
import { waitFor } from "~/server/test/engine-fixtures";
import { createTestDatabase, type TestDatabase } from "~/server/test/test-db";
import { createKeyring, type Keyring } from "~/server/vault/keyring";
import { ledger, simPost } from "~/sim/ccxt-test-clients";
import { startSimulator, type Simulator } from "~/sim/server";

export const PERP = "BTC/USDT:USDT";

export interface ProtectionHarness {
  deps: EngineDeps;
  sim: Simulator;
  keyring: Keyring;
  stop(): Promise<void>;
  /** Moves the perpetual's price on both exchanges (conditional orders trigger at once). */
  price(p: string): Promise<void>;
  /** Sends an alert (JSON) and waits until the signal is settled; its executions by leg. */
  alert(token: string, body: Record<string, unknown>): Promise<Awaited<ReturnType<EngineDeps["db"]["execution"]["findMany"]>>>;
  /** The protective orders KeyRelay has live for the user, as [kind, level, amount, trigger, status]. */
  live(userId: string): Promise<(string | number | null)[][]>;
  /** The conditional orders still waiting on the exchange, from the simulator's own ledger. */
  waitingOnExchange(apiKey: string): ReturnType<typeof ledger>;
}

export async function startProtectionHarness(): Promise<ProtectionHarness> {
  const keyring = createKeyring({ primary: crypto.randomBytes(32) });
  const [t, sim]: [TestDatabase, Simulator] = await Promise.all([createTestDatabase(), startSimulator({ port: 0 })]);
  const deps: EngineDeps = { db: t.database.prisma, sql: t.database.sql, adapter: new ExchangeAdapter(new ExchangeClients({ keyring, simulatorUrl: sim.url, timeoutMs: 5_000 })), jobs: graphileSink() };
  const worker: WorkerHandle = await startGraphileWorker({ connectionString: t.url, tasks: makeTasks(deps), concurrency: 4, pollInterval: 100 });
  return {
    deps,
    sim,
    keyring,
    async stop() {
      await worker.stop();
      await sim.close();
      await t.drop();
    },
    async price(p) {
      for (const exchange of ["binance", "bybit"]) await simPost(sim.url, "/__sim/prices", { exchange, symbol: PERP, price: p });
    },
    async alert(token, body) {
      const r = await receiveSignal({ db: deps.db, sql: deps.sql, jobs: deps.jobs }, { pathToken: token, contentType: "application/json", body: JSON.stringify({ ticker: "BTCUSDT", id: crypto.randomUUID(), ...body }), ip: "127.0.0.1" });
      expect(r.status, JSON.stringify(r.body)).toBe(202);
      const signalId = String(r.body.signalId);
      await waitFor(async () => {
        const s = await deps.db.signal.findUnique({ where: { id: signalId } });
        return s && (s.status === "DONE" || s.status === "REJECTED") ? s : null;
      }, 30_000);
      return deps.db.execution.findMany({ where: { signalId }, orderBy: { leg: "asc" } });
    },
    async live(userId) {
      const rows = await deps.db.protectiveOrder.findMany({ where: { userId, status: { in: ["PENDING", "OPEN"] } }, orderBy: [{ kind: "asc" }, { level: "asc" }] });
      return rows.map((r) => [r.kind, r.level, r.amount.toFixed(), r.triggerPrice?.toFixed() ?? null, r.status]);
    },
    async waitingOnExchange(apiKey) {
      return (await ledger(sim.url, `?apiKey=${apiKey}`)).filter((o) => o.trigger && ["NEW", "TRIGGERED"].includes(String(o.trigger.status)));
    },
  };
}
