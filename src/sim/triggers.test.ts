// Conditional-order bookkeeping without HTTP: whatever path the price takes,
// reduce-only protection never opens or flips a position, every trigger fires
// at most once at the moved price, and a trailing stop fires exactly where a
// plain reference computation says it should.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { placeOrder } from "./engine.ts";
import { type Fixed, SCALE, ZERO, fx, mul, ppm } from "./fixed.ts";
import { type Account, type ApiKey, type SimState, createState, findMarket, newAccount } from "./state.ts";
import { setTradingStop } from "./trading-stop.ts";
import { placeConditional, setPrice } from "./triggers.ts";

function setup(exchange: "binance" | "bybit"): { state: SimState; account: Account; key: ApiKey } {
  const state = createState();
  const key: ApiKey = { apiKey: "k", secret: "s", accountId: "a", exchange, permissions: { read: true, spotTrade: true, futures: true, withdraw: false }, ips: null, createdAt: 0, expiresAt: null };
  const account = newAccount("a", exchange, 0);
  account.keys.push(key);
  account.spot.set("USDT", { free: fx("100000"), locked: ZERO });
  account.futures.set("USDT", fx("100000"));
  state.accounts.set("a", account);
  state.keys.set("k", key);
  return { state, account, key };
}

const dollars = (n: number): Fixed => BigInt(n) * SCALE;

describe("conditional orders under random price paths", () => {
  it("binance: reduce-only TPs and a SL never open or flip the position; fills add up to what was closed; the wallet keeps account", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 55_000, max: 75_000 }), { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 65_100, max: 74_000 }),
        fc.integer({ min: 65_100, max: 74_000 }),
        fc.integer({ min: 56_000, max: 64_900 }),
        (path, tp1, tp2, sl) => {
          const { state, account, key } = setup("binance");
          const m = findMarket(state, "binance", "linear", "BTCUSDT")!;
          setPrice(state, "binance", "BTCUSDT", dollars(65_000));
          const entry = placeOrder(state, account, key, { market: m, side: "buy", type: "market", qty: fx("0.03"), quoteQty: null, price: null, clientOrderId: "", reduceOnly: false, timeInForce: "GTC" });
          const stops = [
            [tp1, "0.02", "TAKE_PROFIT_MARKET", "rise"],
            [tp2, "0.02", "TAKE_PROFIT_MARKET", "rise"],
            [sl, "0.03", "STOP_MARKET", "fall"],
          ] as const;
          const orders = stops.map(([level, qty, type, direction]) =>
            placeConditional(state, account, key, {
              market: m,
              side: "sell",
              type: "market",
              qty: fx(qty),
              quoteQty: null,
              price: null,
              clientOrderId: "",
              reduceOnly: true,
              timeInForce: "GTC",
              trigger: { type, direction, price: dollars(level), callbackPpm: null, distance: null, activation: null, closePosition: false, tpsl: null, workingType: "CONTRACT_PRICE" },
              algo: true,
            }),
          );
          for (const p of path) {
            setPrice(state, "binance", "BTCUSDT", dollars(p));
            const qty = account.positions.get("BTCUSDT")?.qty ?? ZERO;
            expect(qty >= ZERO && qty <= fx("0.03")).toBe(true);
          }
          const children = orders.map((o) => o.child).filter((c) => c !== null);
          const closed = children.reduce((sum, c) => sum + c.filledQty, ZERO);
          expect(closed).toBe(fx("0.03") - (account.positions.get("BTCUSDT")?.qty ?? ZERO));
          // each fired at a price the path moved to, at most once
          for (const c of children) if (c.status === "filled") expect(path.map(dollars)).toContain(c.avgPrice);
          for (const o of orders) expect(["untriggered", "triggered", "expired"]).toContain(o.status);
          const fees = entry.fee + children.reduce((sum, c) => sum + c.fee, ZERO);
          const pnl = children.reduce((sum, c) => sum + mul(c.filledQty, c.avgPrice - dollars(65_000)), ZERO);
          expect(account.futures.get("USDT")).toBe(fx("100000") - fees + pnl);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("binance trailing stop (callbackRate) fires at the first price at or below high x (1 - rate), rounded to the tick", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 60_000, max: 70_000 }), { minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 50 }), (path, tenths) => {
        const { state, account, key } = setup("binance");
        const m = findMarket(state, "binance", "linear", "BTCUSDT")!;
        setPrice(state, "binance", "BTCUSDT", dollars(65_000));
        placeOrder(state, account, key, { market: m, side: "buy", type: "market", qty: fx("0.01"), quoteQty: null, price: null, clientOrderId: "", reduceOnly: false, timeInForce: "GTC" });
        const ppmRate = BigInt(tenths) * 1_000n; // 0.1% .. 5%
        const ts = placeConditional(state, account, key, {
          market: m,
          side: "sell",
          type: "market",
          qty: fx("0.01"),
          quoteQty: null,
          price: null,
          clientOrderId: "",
          reduceOnly: true,
          timeInForce: "GTC",
          trigger: { type: "TRAILING_STOP_MARKET", direction: "fall", price: ZERO, callbackPpm: ppmRate, distance: null, activation: null, closePosition: false, tpsl: null, workingType: "CONTRACT_PRICE" },
          algo: true,
        });
        let high = dollars(65_000);
        let expected: Fixed | null = null;
        for (const p of path) {
          const price = dollars(p);
          if (price > high) high = price;
          const stop = high - ppm(high, ppmRate);
          const level = stop - (stop % m.tickSize);
          if (expected === null && price <= level) expected = price;
          setPrice(state, "binance", "BTCUSDT", price);
        }
        expect(ts.child?.avgPrice ?? null).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });

  it("bybit: Full TP/SL follow the position size; the one that fires closes all of it and takes the other along", () => {
    const { state, account, key } = setup("bybit");
    const m = findMarket(state, "bybit", "linear", "BTCUSDT")!;
    setPrice(state, "bybit", "BTCUSDT", dollars(65_000));
    const buy = (qty: string) => placeOrder(state, account, key, { market: m, side: "buy", type: "market", qty: fx(qty), quoteQty: null, price: null, clientOrderId: "", reduceOnly: false, timeInForce: "IOC" });
    buy("0.01");
    setTradingStop(state, account, "k", { market: m, positionSide: "BOTH", mode: "Full", takeProfit: dollars(70_000), stopLoss: dollars(60_000) });
    buy("0.02");
    expect(setPrice(state, "bybit", "BTCUSDT", dollars(59_000)).triggered).toBe(1);
    expect(account.positions.get("BTCUSDT")?.qty).toBe(ZERO);
    const [tp, sl] = [...account.orders.values()].filter((o) => o.trigger !== null);
    expect([tp?.status, tp?.cancelType, sl?.status, sl?.filledQty, sl?.avgPrice]).toEqual(["canceled", "CancelByTpSlTsClear", "filled", fx("0.03"), dollars(59_000)]);
  });
});
