/**
 * Bybit's read-back reads the order answer directly for the plain shape: it must give exactly the view
 * ccxt's own parseOrder gives (through toView), on the simulator's real answers and on every shape a
 * property can make, and hand everything else to ccxt.
 */
import crypto from "node:crypto";
import type { MarketInterface } from "ccxt";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSimAccount } from "~/sim/ccxt-test-clients";
import { startSimulator, type Simulator } from "~/sim/server";
import { bybitOrderView, type BybitClient } from "~/server/exchanges/bybit-read-back";
import { toView } from "~/server/exchanges/ccxt-values";
import { ExchangeAdapter } from "~/server/exchanges/exchange-adapter";
import { ExchangeClients, type CredentialRef } from "~/server/exchanges/exchange-clients";
import { createKeyring } from "~/server/vault/keyring";
import { seal } from "~/server/vault/secret-box";

let sim: Simulator;
let clients: ExchangeClients;
let c: BybitClient;
const keyring = createKeyring({ primary: crypto.randomBytes(32) });

beforeAll(async () => {
  sim = await startSimulator({ port: 0 });
  clients = new ExchangeClients({ keyring, simulatorUrl: sim.url, timeoutMs: 3_000 });
  c = (await clients.publicClient("BYBIT", "LIVE")) as BybitClient;
});
afterAll(async () => {
  await sim.close();
});

const SYMBOLS = ["BTC/USDT", "BTC/USDT:USDT"] as const;
const market = (symbol: string) => c.market(symbol) as MarketInterface;
/** What the adapter gave before: ccxt's unified order, read through toView. */
const byCcxt = (raw: Record<string, unknown>, symbol: string) => toView(c.parseOrder(structuredClone(raw), market(symbol)), symbol, undefined);

describe("Bybit's read-back", () => {
  it("reads the simulator's answers directly, as ccxt reads them", async () => {
    const a = await createSimAccount(sim.url, { exchange: "bybit", balances: { USDT: "100000", BTC: "1" } });
    const cred: CredentialRef = {
      id: "cred_rb", userId: "user_rb", exchange: "BYBIT", environment: "LIVE", apiKey: a.apiKey,
      sealedSecret: seal(keyring, a.secret, { userId: "user_rb", exchange: "BYBIT", environment: "LIVE", apiKey: a.apiKey }),
    };
    const adapter = new ExchangeAdapter(clients);
    const orders = [
      { symbol: "BTC/USDT", side: "buy", type: "market", amount: "0.001" },
      { symbol: "BTC/USDT", side: "sell", type: "market", amount: "0.0005" },
      { symbol: "BTC/USDT", side: "buy", type: "limit", amount: "0.001", price: "1000" },
      { symbol: "BTC/USDT:USDT", side: "buy", type: "market", amount: "0.01" },
      { symbol: "BTC/USDT:USDT", side: "sell", type: "limit", amount: "0.01", price: "900000" },
    ] as const;
    const signed = (await clients.clientFor(cred)) as BybitClient;
    for (const o of orders) {
      const placed = await adapter.createOrder(cred, { ...o, clientOrderId: `kr-${crypto.randomBytes(6).toString("hex")}` });
      const m = market(o.symbol);
      const category = m.spot ? "spot" : "linear";
      const raw = (await signed.privateGetV5OrderRealtime({ symbol: String(m.id), orderId: placed.id, category })).result!.list![0]!;
      const direct = bybitOrderView(c, raw, m);
      expect(direct, `${o.symbol} ${o.side} ${o.type}: read directly`).not.toBeNull();
      expect(direct).toEqual(byCcxt(raw, o.symbol));
      // And the adapter's read-back is that view.
      expect(await adapter.fetchOrder(cred, o.symbol, placed.id)).toEqual(direct);
    }
  });

  it("gives ccxt's view on every shape it reads, and leaves the others to ccxt", () => {
    // Exchange decimals: at most 15 significant digits (what ccxt's numbers carry exactly).
    const dec = fc.tuple(fc.bigInt({ min: 0n, max: 10n ** 12n }), fc.integer({ min: 0, max: 10 })).map(([d, s]) => (Number(d) / 10 ** s).toFixed(s));
    const optional = (a: fc.Arbitrary<string>) => fc.oneof(a, fc.constantFrom("", "0", undefined));
    let direct = 0;
    fc.assert(
      fc.property(
        fc.record({
          symbol: fc.constantFrom(...SYMBOLS),
          orderStatus: fc.constantFrom("New", "PartiallyFilled", "Filled", "Cancelled", "Rejected", "PartiallyFilledCanceled", "Untriggered", "Deactivated", "Triggered", "Created", "Odd", ""),
          side: fc.constantFrom("Buy", "Sell"),
          orderType: fc.constantFrom("Market", "Limit"),
          marketUnit: fc.constantFrom("baseCoin", "quoteCoin", "", undefined),
          qty: optional(dec),
          cumExecQty: optional(dec),
          leavesQty: optional(dec),
          cumExecValue: optional(dec),
          avgPrice: optional(dec),
          fee: fc.option(fc.tuple(fc.constantFrom("USDT", "BTC", "BNB"), dec)),
          orderLinkId: fc.constantFrom("", "kr-abc"),
          code: fc.constantFrom(undefined, undefined, undefined, "0", "170131"),
        }),
        (r) => {
          const raw: Record<string, unknown> = {
            orderId: "1700000000000000001", orderLinkId: r.orderLinkId, symbol: "BTCUSDT", orderStatus: r.orderStatus, side: r.side, orderType: r.orderType,
            price: "0", createdTime: "1700000000000", updatedTime: "1700000000001", timeInForce: "GTC",
            cumFeeDetail: r.fee ? { [r.fee[0]]: r.fee[1] } : {},
          };
          for (const k of ["qty", "cumExecQty", "leavesQty", "cumExecValue", "avgPrice"] as const) if (r[k] !== undefined) raw[k] = r[k];
          if (r.code !== undefined) raw.code = r.code;
          if (r.symbol === "BTC/USDT") {
            if (r.marketUnit !== undefined) raw.marketUnit = r.marketUnit;
          } else raw.tpslMode = "";
          const view = bybitOrderView(c, raw, market(r.symbol));
          if (view === null) return;
          direct++;
          expect(view).toEqual(byCcxt(raw, r.symbol));
        },
      ),
      { numRuns: 4000 },
    );
    expect(direct).toBeGreaterThan(200);
  });
});
