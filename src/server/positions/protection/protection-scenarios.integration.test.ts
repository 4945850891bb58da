/**
 * Protective orders end to end: a TradingView alert through the engine and unmodified ccxt to the
 * simulator (whose ledger shows every order by the API key that signed it), then the price moves and
 * the protection sync / watch does what a trader expects, on the exchange and in the ledger.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dec } from "~/server/money/decimal";
import { syncProtection } from "~/server/positions/protection/sync-protection";
import { watchProtection } from "~/server/positions/protection/protection-watch";
import { makeStrategy, makeSubscriber, waitFor } from "~/server/test/engine-fixtures";
import { PERP, startProtectionHarness, type ProtectionHarness } from "~/server/test/protection-harness";
import { binanceClient, bybitClient, ledger, simGet } from "~/sim/ccxt-test-clients";

let h: ProtectionHarness;
beforeAll(async () => {
  h = await startProtectionHarness();
});
afterAll(async () => {
  await h?.stop();
});
const price = (p: string) => h.price(p);
const alert = (token: string, body: Record<string, unknown>) => h.alert(token, body);
const live = (userId: string) => h.live(userId);
const waitingOnExchange = (apiKey: string) => h.waitingOnExchange(apiKey);

const long = { action: "buy", marketPosition: "long", marketPositionSize: "1", prevMarketPosition: "flat", prevMarketPositionSize: "0", quantity: "1", price: "50000" };
const flat = { action: "sell", marketPosition: "flat", marketPositionSize: "0", prevMarketPosition: "long", prevMarketPositionSize: "1", quantity: "1", price: "50000" };
const position = (userId: string) => h.deps.db.position.findFirstOrThrow({ where: { userId } });

const SL_TP_BE = { defaults: { stopLossPct: "2", takeProfits: [{ pct: "2", sharePct: "50" }, { pct: "4", sharePct: "50" }], breakEven: true } };

describe.each(["BINANCE", "BYBIT"] as const)("%s: stop-loss and two take-profits with break-even", (exchange) => {
  it("entry -> TP1 fills -> the rest is protected at break-even -> the price falls -> the stop closes the rest, nothing left open", async () => {
    await price("50000");
    const strategy = await makeStrategy(h.deps.db, { marketType: "LINEAR", allowedSymbols: [PERP], protection: SL_TP_BE });
    const sub = await makeSubscriber(h.deps.db, h.keyring, h.sim.url, strategy.id, { exchange, sizing: 1000 });
    expect((await alert(strategy.webhookToken, long)).map((e) => e.status)).toEqual(["FILLED"]);
    // The protect job runs after the entry's fill is booked.
    await waitFor(async () => (await live(sub.userId)).filter((r) => r[4] === "OPEN").length === 3, 15_000);
    expect(await live(sub.userId)).toEqual([
      ["STOP_LOSS", 0, "0.02", "49000", "OPEN"],
      ["TAKE_PROFIT", 1, "0.01", "51000", "OPEN"],
      ["TAKE_PROFIT", 2, "0.01", "52000", "OPEN"],
    ]);
    // On the user's own account, signed by their key, reduce-only.
    const waiting = await waitingOnExchange(sub.apiKey);
    expect(waiting.map((o) => [o.side, o.amount, o.reduceOnly, o.trigger?.price]).sort()).toEqual([
      ["sell", "0.01", true, "51000"],
      ["sell", "0.01", true, "52000"],
      ["sell", "0.02", true, "49000"],
    ]);

    await price("51050");
    const p1 = await position(sub.userId);
    await syncProtection(h.deps, p1.id);
    const afterTp1 = await position(sub.userId);
    expect(afterTp1.size.toFixed()).toBe("0.01");
    expect(await live(sub.userId)).toEqual([
      ["STOP_LOSS", 0, "0.01", "50000", "OPEN"],
      ["TAKE_PROFIT", 2, "0.01", "52000", "OPEN"],
    ]);

    await price("49990");
    await syncProtection(h.deps, p1.id);
    const closed = await position(sub.userId);
    expect(closed.side).toBe("FLAT");
    expect(await live(sub.userId)).toEqual([]);
    expect(await waitingOnExchange(sub.apiKey)).toEqual([]);
    // The ledger holds the protective fills, their PnL after fees: +10.5 (TP1 at 51050) -0.1 (stop at 49990).
    const fills = await h.deps.db.fill.findMany({ where: { positionId: closed.id }, include: { protectiveOrder: true }, orderBy: { createdAt: "asc" } });
    expect(fills.map((f) => [f.effect, f.protectiveOrder?.kind ?? "STRATEGY", f.amount.toFixed(), f.price.toFixed()])).toEqual([
      ["OPEN", "STRATEGY", "0.02", "50000"],
      ["REDUCE", "TAKE_PROFIT", "0.01", "51050"],
      ["CLOSE", "STOP_LOSS", "0.01", "49990"],
    ]);
    const fees = fills.reduce((s, f) => s.plus(f.feeQuote?.toFixed() ?? "0"), dec(0));
    expect(closed.realizedPnl.toFixed()).toBe(dec("10.4").minus(fees).toFixed());
  }, 60_000);
});

describe("the strategy closes, the user cancels by hand", () => {
  it("a strategy close cancels the protective orders on the exchange", async () => {
    await price("50000");
    const strategy = await makeStrategy(h.deps.db, { marketType: "LINEAR", allowedSymbols: [PERP], protection: SL_TP_BE });
    const sub = await makeSubscriber(h.deps.db, h.keyring, h.sim.url, strategy.id, { exchange: "BINANCE", sizing: 1000 });
    await alert(strategy.webhookToken, long);
    await waitFor(async () => (await live(sub.userId)).length === 3, 15_000);
    expect((await alert(strategy.webhookToken, flat)).map((e) => [e.intent, e.status])).toEqual([["CLOSE", "FILLED"]]);
    await waitFor(async () => (await live(sub.userId)).length === 0, 15_000);
    expect(await waitingOnExchange(sub.apiKey)).toEqual([]);
    const done = await h.deps.db.protectiveOrder.findMany({ where: { userId: sub.userId } });
    expect(done.map((r) => [r.status, r.message])).toEqual(Array(3).fill(["CANCELED", "The position closed, so KeyRelay cancelled this order."]));
  }, 60_000);

  it("a stop-loss the user cancelled on the exchange is placed again by the watch, and the user is told", async () => {
    await price("50000");
    const strategy = await makeStrategy(h.deps.db, { marketType: "LINEAR", allowedSymbols: [PERP] });
    const sub = await makeSubscriber(h.deps.db, h.keyring, h.sim.url, strategy.id, { exchange: "BYBIT", sizing: 1000, protection: { stopLossPct: "3" } });
    await alert(strategy.webhookToken, long);
    await waitFor(async () => (await live(sub.userId)).filter((r) => r[4] === "OPEN").length === 1, 15_000);
    const [sl] = await h.deps.db.protectiveOrder.findMany({ where: { userId: sub.userId } });
    await bybitClient(h.sim.url, { apiKey: sub.apiKey, secret: sub.secret }).cancelOrder(sl!.exchangeOrderId!, PERP, { trigger: true });

    await watchProtection(h.deps);
    const rows = await h.deps.db.protectiveOrder.findMany({ where: { userId: sub.userId }, orderBy: { createdAt: "asc" } });
    expect(rows.map((r) => [r.kind, r.status, r.triggerPrice?.toFixed()])).toEqual([
      ["STOP_LOSS", "CANCELED", "48500"],
      ["STOP_LOSS", "OPEN", "48500"],
    ]);
    expect((await waitingOnExchange(sub.apiKey)).map((o) => o.clientOrderId)).toEqual([rows[1]!.clientOrderId]);
    const note = await h.deps.db.notification.findFirstOrThrow({ where: { userId: sub.userId, kind: "POSITION_UNPROTECTED" } });
    expect(note.message).toContain("stop-loss on BTC/USDT:USDT was cancelled on the exchange");
  }, 60_000);
});

describe("alerts carry their own levels; a trailing stop", () => {
  it("the alert's stopLoss / takeProfit prices are used; a trailing stop follows the price up and closes on the way down (Binance)", async () => {
    await price("50000");
    const strategy = await makeStrategy(h.deps.db, { marketType: "LINEAR", allowedSymbols: [PERP], protection: { defaults: { trailingPct: "1" } } });
    const sub = await makeSubscriber(h.deps.db, h.keyring, h.sim.url, strategy.id, { exchange: "BINANCE", sizing: 1000 });
    await alert(strategy.webhookToken, { ...long, stopLoss: "47000", takeProfit: "60000" });
    await waitFor(async () => (await live(sub.userId)).filter((r) => r[4] === "OPEN").length === 3, 15_000);
    expect((await live(sub.userId)).map((r) => [r[0], r[3]])).toEqual([
      ["STOP_LOSS", "47000"],
      ["TAKE_PROFIT", "60000"],
      ["TRAILING_STOP", null],
    ]);
    await price("53000");
    await price("52400"); // 1.1 % off the high
    const p = await position(sub.userId);
    await syncProtection(h.deps, p.id);
    expect((await position(sub.userId)).side).toBe("FLAT");
    expect(await live(sub.userId)).toEqual([]);
    expect(await waitingOnExchange(sub.apiKey)).toEqual([]);
    const fill = await h.deps.db.fill.findFirstOrThrow({ where: { positionId: p.id, protectiveOrderId: { not: null } }, include: { protectiveOrder: true } });
    expect([fill.protectiveOrder?.kind, fill.price.toFixed()]).toEqual(["TRAILING_STOP", "52400"]);
  }, 60_000);

  it("a TradersPost alert's trailing stop-loss protects a position whose strategy has no protection settings (Binance)", async () => {
    await price("50000");
    const strategy = await makeStrategy(h.deps.db, { marketType: "LINEAR", allowedSymbols: [PERP] });
    const sub = await makeSubscriber(h.deps.db, h.keyring, h.sim.url, strategy.id, { exchange: "BINANCE", sizing: 1000 });
    const rows = await alert(strategy.webhookToken, { ticker: "BTCUSDT.P", action: "buy", sentiment: "bullish", signalPrice: 50000, stopLoss: { type: "trailing_stop", trailPercent: 2 } });
    expect(rows.map((e) => e.status)).toEqual(["FILLED"]);
    await waitFor(async () => (await live(sub.userId)).filter((r) => r[4] === "OPEN").length === 1, 15_000);
    expect((await live(sub.userId)).map((r) => r[0])).toEqual(["TRAILING_STOP"]);
    const [trail] = await waitingOnExchange(sub.apiKey);
    expect(trail?.side).toBe("sell");
    await price("54000");
    await price("53000"); // 1.9 % off the high: still open
    await syncProtection(h.deps, (await position(sub.userId)).id);
    expect((await position(sub.userId)).side).toBe("LONG");
    await price("52900"); // 2.04 % off the high
    await syncProtection(h.deps, (await position(sub.userId)).id);
    expect((await position(sub.userId)).side).toBe("FLAT");
    expect(await waitingOnExchange(sub.apiKey)).toEqual([]);
  }, 60_000);
});


describe.each(["BINANCE", "BYBIT"] as const)("%s hedge-mode account", (exchange) => {
  it("the entry, its stop-loss and the strategy's close all go to the long side; the user's own short is left alone", async () => {
    await price("50000");
    const strategy = await makeStrategy(h.deps.db, { marketType: "LINEAR", allowedSymbols: [PERP], protection: { defaults: { stopLossPct: "2" } } });
    const sub = await makeSubscriber(h.deps.db, h.keyring, h.sim.url, strategy.id, { exchange, sizing: 1000, hedgeMode: true });
    // The user's own short, opened by hand on the same account.
    const own = exchange === "BINANCE" ? binanceClient(h.sim.url, sub) : bybitClient(h.sim.url, sub);
    await own.createOrder(PERP, "market", "sell", 0.05, undefined, { hedged: true });

    expect((await alert(strategy.webhookToken, long)).map((e) => [e.status, e.message])).toEqual([["FILLED", null]]);
    await waitFor(async () => (await live(sub.userId)).filter((r) => r[4] === "OPEN").length === 1, 15_000);
    const sides = async () => (await h.deps.adapter.fetchPositions((await h.deps.db.exchangeCredential.findFirstOrThrow({ where: { userId: sub.userId } })) as never, [PERP])).map((p) => [p.side, p.contracts]).sort();
    expect(await sides()).toEqual([["long", "0.02"], ["short", "0.05"]]);
    const [stop] = await waitingOnExchange(sub.apiKey);
    expect([stop?.side, stop?.positionSide, stop?.trigger?.price]).toEqual(["sell", "LONG", "49000"]);

    expect((await alert(strategy.webhookToken, flat)).map((e) => [e.intent, e.status])).toEqual([["CLOSE", "FILLED"]]);
    await waitFor(async () => (await live(sub.userId)).length === 0, 15_000);
    expect(await sides()).toEqual([["short", "0.05"]]);
    expect(await waitingOnExchange(sub.apiKey)).toEqual([]);
  }, 60_000);
});

describe("futures controls per subscription", () => {
  it("margin mode and leverage are set on the user's account before the entry; a leverage above the symbol's maximum is the execution's reason", async () => {
    await price("50000");
    const strategy = await makeStrategy(h.deps.db, { marketType: "LINEAR", allowedSymbols: [PERP] });
    const sub = await makeSubscriber(h.deps.db, h.keyring, h.sim.url, strategy.id, { exchange: "BINANCE", sizing: 100 });
    await h.deps.db.subscription.updateMany({ where: { userId: sub.userId }, data: { leverage: 5, marginMode: "ISOLATED" } });
    expect((await alert(strategy.webhookToken, long)).map((e) => [e.status, e.amount?.toFixed()])).toEqual([["FILLED", "0.01"]]); // 100 USDT x 5 / 50000
    const [order] = await ledger(h.sim.url, `?apiKey=${sub.apiKey}`);
    const account = await simGet<{ symbols: Record<string, { marginMode: string; leverage: number }> }>(h.sim.url, `/__sim/accounts/${(order as { accountId: string }).accountId}`);
    expect(account.symbols.BTCUSDT).toMatchObject({ marginMode: "isolated", leverage: 5 });

    // 126x: above BTC's maximum of 125 (a subscriber's leverage meets each symbol's own maximum only at the exchange).
    const bold = await makeSubscriber(h.deps.db, h.keyring, h.sim.url, strategy.id, { exchange: "BINANCE", sizing: 100 });
    await h.deps.db.subscription.updateMany({ where: { userId: bold.userId }, data: { leverage: 126 } });
    const refused = (await alert(strategy.webhookToken, long)).find((e) => e.userId === bold.userId)!;
    expect(refused.status).toBe("SKIPPED");
    expect(refused.message).toMatch(/^Could not set 126x leverage on BTC\/USDT:USDT: .*Lower the leverage/);
    expect(await ledger(h.sim.url, `?apiKey=${bold.apiKey}`)).toEqual([]);
  }, 60_000);
});
