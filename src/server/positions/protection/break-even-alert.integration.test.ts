/**
 * TradersPost's "add" and "breakeven" actions (TradersPost webhook reference: "add" adds to an open
 * position and is ignored when there is none; "breakeven" moves the stop-loss to the entry price),
 * end to end: alerts in TradersPost's JSON through the webhook's entry point, the engine, unmodified
 * ccxt and the simulator, whose ledger shows what each user's own key placed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeStrategy, makeSubscriber, waitFor } from "~/server/test/engine-fixtures";
import { PERP, startProtectionHarness, type ProtectionHarness } from "~/server/test/protection-harness";
import { ledger } from "~/sim/ccxt-test-clients";

let h: ProtectionHarness;
beforeAll(async () => {
  h = await startProtectionHarness();
});
afterAll(async () => {
  await h?.stop();
});

/** TradersPost bodies as its docs show them: `signalPrice` marks the format. */
const tp = (action: string, signalPrice: string) => ({ ticker: "BTCUSDT", action, signalPrice });
const stopOf = async (userId: string) => (await h.live(userId)).find((r) => r[0] === "STOP_LOSS");

describe.each(["BYBIT", "BINANCE"] as const)("%s: TradersPost add and breakeven", (exchange) => {
  it("add grows only the positions that are open; breakeven moves each open position's stop to its entry, not while the price is below it, and once", async () => {
    await h.price("50000");
    const strategy = await makeStrategy(h.deps.db, { marketType: "LINEAR", allowedSymbols: [PERP], protection: { defaults: { stopLossPct: "2" } } });
    const holder = await makeSubscriber(h.deps.db, h.keyring, h.sim.url, strategy.id, { exchange, sizing: 1000 });
    expect((await h.alert(strategy.webhookToken, tp("buy", "50000"))).map((e) => e.status)).toEqual(["FILLED"]);
    await waitFor(async () => (await stopOf(holder.userId))?.[4] === "OPEN", 15_000);
    // Subscribed after the entry: holds nothing for the strategy.
    const late = await makeSubscriber(h.deps.db, h.keyring, h.sim.url, strategy.id, { exchange, sizing: 1000 });

    const added = await h.alert(strategy.webhookToken, tp("add", "50000"));
    const by = (userId: string) => added.find((e) => e.userId === userId)!;
    expect([by(holder.userId).status, by(holder.userId).side, by(holder.userId).amount?.toFixed()]).toEqual(["FILLED", "buy", "0.02"]);
    expect([by(late.userId).status, by(late.userId).message]).toEqual(["SKIPPED", "An add alert, and this account holds nothing for the strategy: nothing to add to."]);
    expect(await ledger(h.sim.url, `?apiKey=${late.apiKey}`)).toEqual([]);
    // The stop follows the size: 0.04 at 49,000.
    await waitFor(async () => {
      const sl = await stopOf(holder.userId);
      return sl?.[2] === "0.04" && sl[4] === "OPEN";
    }, 15_000);
    expect(await stopOf(holder.userId)).toEqual(["STOP_LOSS", 0, "0.04", "49000", "OPEN"]);

    // Below the entry a stop at the entry would fire at once: it stays.
    await h.price("49800");
    const early = await h.alert(strategy.webhookToken, tp("breakeven", "49800"));
    expect(early.find((e) => e.userId === holder.userId)?.message).toBe(
      "Break-even alert: the price 49800 is at or below the entry 50000, so a stop there would fire at once; the stop-loss stays where it is.",
    );

    await h.price("51000");
    const moved = await h.alert(strategy.webhookToken, tp("breakeven", "51000"));
    expect(moved.map((e) => [e.userId === holder.userId ? "holder" : "late", e.status, e.message]).sort()).toEqual([
      ["holder", "SKIPPED", "Break-even alert: no order; the stop-loss moves to the position's entry price."],
      ["late", "SKIPPED", "Break-even alert: this account holds no position for the strategy on this symbol, so there is nothing to move."],
    ]);
    await waitFor(async () => (await stopOf(holder.userId))?.[3] === "50000" && (await stopOf(holder.userId))?.[4] === "OPEN", 15_000);
    // On the user's own account: one stop waiting, at the entry, for the whole position; the old one cancelled.
    const waiting = await h.waitingOnExchange(holder.apiKey);
    expect(waiting.map((o) => [o.side, o.amount, o.reduceOnly, o.trigger?.price])).toEqual([["sell", "0.04", true, "50000"]]);

    const again = await h.alert(strategy.webhookToken, tp("breakeven", "51000"));
    expect(again.find((e) => e.userId === holder.userId)?.message).toBe("Break-even alert: the stop-loss is already at the entry.");
  }, 90_000);
});
