// Engine bookkeeping without HTTP: wallet conservation and position math.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {placeOrder } from "./engine.ts";
import type { PlaceRequest } from "./new-order.ts";
import { SCALE, ZERO, formatFixed, formatTrim, fx, parseFixed } from "./fixed.ts";
import { marginSummary } from "./margin.ts";
import { type Account, type ApiKey, type SimState, createState, findMarket, newAccount } from "./state.ts";
import { setPrice } from "./triggers.ts";

function setup(exchange: "binance" | "bybit", usdt = "1000000"): { state: SimState; account: Account; key: ApiKey } {
  const state = createState();
  const key: ApiKey = {
    apiKey: "k",
    secret: "s",
    accountId: "a",
    exchange,
    permissions: { read: true, spotTrade: true, futures: true, withdraw: false },
    ips: null,
    createdAt: 0,
    expiresAt: null,
  };
  const account: Account = newAccount("a", exchange, 0);
  account.keys.push(key);
  account.spot.set("USDT", { free: fx(usdt), locked: ZERO });
  account.futures.set("USDT", fx(usdt));
  state.accounts.set("a", account);
  return { state, account, key };
}

function req(state: SimState, exchange: "binance" | "bybit", category: "spot" | "linear", side: "buy" | "sell", qty: string, extra: Partial<PlaceRequest> = {}): PlaceRequest {
  const market = findMarket(state, exchange, category, "BTCUSDT")!;
  return { market, side, type: "market", qty: fx(qty), quoteQty: null, price: null, clientOrderId: "", reduceOnly: false, timeInForce: "GTC", ...extra };
}

describe("fixed-point decimals", () => {
  it("round-trips any 8-decimal value and rejects finer ones", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 17n }), (units) => {
        expect(parseFixed(formatFixed(units))).toBe(units);
        expect(parseFixed(formatTrim(units))).toBe(units);
      }),
    );
    expect(parseFixed("0.123456789")).toBeNull();
    expect(parseFixed("0.100000000")).toBe(10_000_000n);
    expect(parseFixed("1e5")).toBeNull();
  });
});

describe("engine", () => {
  it("spot: a resting buy locks quote, a crossing price fills it at the limit, fees come off the bought asset", () => {
    const { state, account, key } = setup("binance", "1000");
    placeOrder(state, account, key, req(state, "binance", "spot", "buy", "0.01", { type: "limit", price: fx("60000"), timeInForce: "GTC" }));
    expect(account.spot.get("USDT")).toEqual({ free: fx("400"), locked: fx("600") });
    expect(setPrice(state, "binance", "BTCUSDT", fx("59000")).filled).toBe(1);
    expect(account.spot.get("USDT")).toEqual({ free: fx("400"), locked: ZERO });
    expect(account.spot.get("BTC")?.free).toBe(fx("0.00999"));
  });

  it("linear: wallet always equals initial - fees + realized PnL, and closing every fill realizes the mark-to-market", () => {
    const step = fx("0.001");
    fc.assert(
      fc.property(
        fc.array(fc.record({ buy: fc.boolean(), lots: fc.integer({ min: 3, max: 40 }), price: fc.integer({ min: 40_000, max: 90_000 }) }), { minLength: 1, maxLength: 25 }),
        fc.integer({ min: 40_000, max: 90_000 }),
        (fills, closePrice) => {
          const { state, account, key } = setup("binance");
          account.leverage.set("BTCUSDT", 100);
          let fees = ZERO;
          let expectedPnl = ZERO;
          let position = ZERO;
          const close = BigInt(closePrice) * SCALE;
          for (const f of fills) {
            setPrice(state, "binance", "BTCUSDT", BigInt(f.price) * SCALE);
            const o = placeOrder(state, account, key, req(state, "binance", "linear", f.buy ? "buy" : "sell", formatFixed(step * BigInt(f.lots))));
            fees += o.fee;
            const signed = f.buy ? o.qty : -o.qty;
            position += signed;
            expectedPnl += (signed * (close - o.avgPrice)) / SCALE;
          }
          expect(account.positions.get("BTCUSDT")?.qty).toBe(position);
          setPrice(state, "binance", "BTCUSDT", close);
          if (position !== ZERO) {
            const o = placeOrder(state, account, key, req(state, "binance", "linear", position > ZERO ? "sell" : "buy", formatFixed(position > ZERO ? position : -position), { reduceOnly: true }));
            fees += o.fee;
          }
          const wallet = account.futures.get("USDT")!;
          // average-entry bookkeeping truncates at 1e-8 per fill; allow that much drift
          const drift = wallet - (fx("1000000") - fees + expectedPnl);
          expect(drift < 0n ? -drift : drift).toBeLessThanOrEqual(BigInt(fills.length * 10));
          expect(marginSummary(state, account).positionIM).toBe(ZERO);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("linear: a position flip re-bases the entry at the fill price", () => {
    const { state, account, key } = setup("bybit");
    placeOrder(state, account, key, req(state, "bybit", "linear", "buy", "0.01"));
    setPrice(state, "bybit", "BTCUSDT", fx("66000"));
    placeOrder(state, account, key, req(state, "bybit", "linear", "sell", "0.03"));
    const pos = account.positions.get("BTCUSDT")!;
    expect(pos).toMatchObject({ qty: -fx("0.02"), entryPrice: fx("66000"), realizedPnl: fx("10") });
  });
});
