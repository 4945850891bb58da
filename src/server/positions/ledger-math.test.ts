import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { applyFill, averageEntry, EMPTY_BOOK, releaseDust, shrinkTo, unrealizedPnl, type Book, type Fill } from "~/server/positions/ledger-math";
import { dec } from "~/server/money/decimal";

const spotBuy = (amount: string, price: string, fee: string | null = null, feeCurrency = "BTC"): Fill => ({ side: "buy", amount, price, fee, feeCurrency, base: "BTC", quote: "USDT" });
const sell = (amount: string, price: string, fee: string | null = null, feeCurrency = "USDT"): Fill => ({ side: "sell", amount, price, fee, feeCurrency, base: "BTC", quote: "USDT" });
const buy = (amount: string, price: string, fee: string | null = null, feeCurrency = "USDT"): Fill => ({ side: "buy", amount, price, fee, feeCurrency, base: "BTC", quote: "USDT" });

function run(...fills: Fill[]): { book: Book; realized: string[]; effects: string[] } {
  let book = EMPTY_BOOK;
  const realized: string[] = [];
  const effects: string[] = [];
  for (const f of fills) {
    const r = applyFill(book, f);
    book = r.book;
    realized.push(r.realized);
    effects.push(r.effect);
  }
  return { book, realized, effects };
}

describe("applyFill (figures computed by hand)", () => {
  it("a spot buy whose fee was taken in BTC holds the amount net of the fee", () => {
    const { book } = run(spotBuy("0.002", "50000", "0.000002"));
    expect(book).toMatchObject({ side: "long", size: "0.001998", entryValue: "100", openFees: "0", feesPaid: "0.1" });
    expect(averageEntry(book)).toBe("50000");
    // Marked at the entry price, the fee is the loss: 0.001998 x 50000 - 100 = -0.1
    expect(unrealizedPnl(book, "50000")).toBe("-0.1");
  });

  it("selling all of it realises price difference minus every fee", () => {
    // buy 0.002 @ 50000 (fee 0.000002 BTC), sell 0.001998 @ 51000 (fee 0.101898 USDT = 0.1 %)
    const { book, realized, effects } = run(spotBuy("0.002", "50000", "0.000002"), sell("0.001998", "51000", "0.101898"));
    // 0.001998 x 51000 = 101.898; minus cost 100; minus the sell fee 0.101898 = 1.796102
    expect(realized[1]).toBe("1.796102");
    expect(effects).toEqual(["open", "close"]);
    expect(book).toMatchObject({ side: "flat", size: "0", realizedPnl: "1.796102", feesPaid: "0.201898" });
  });

  it("long: open, add, partial close, close; quote fees are carried and charged once", () => {
    const { book, realized, effects } = run(
      buy("1", "100", "0.05"), // cost 100, open fee 0.05
      buy("1", "110", "0.055"), // cost 210, open fees 0.105, avg 105
      sell("0.5", "120", "0.03"), // 0.5 x 120 = 60 - 52.5 - 0.02625 (fee share) - 0.03 = 7.44375
      sell("1.5", "90", "0.0675"), // 135 - 157.5 - 0.07875 - 0.0675 = -22.64625
    );
    expect(effects).toEqual(["open", "add", "reduce", "close"]);
    expect(realized.slice(2)).toEqual(["7.44375", "-22.64625"]);
    expect(book.realizedPnl).toBe("-15.2025");
    // Every fee once: 0.05 + 0.055 + 0.03 + 0.0675
    expect(book.feesPaid).toBe("0.2025");
  });

  it("short: realises when bought back lower", () => {
    const { book, realized } = run(sell("2", "100", "0.1"), buy("2", "90", "0.09"));
    // (200 - 180) - 0.1 - 0.09 = 19.81
    expect(realized[1]).toBe("19.81");
    expect(book.side).toBe("flat");
  });

  it("one order crossing zero closes the long and opens a short with the rest", () => {
    const { book, effects, realized } = run(buy("1", "100"), sell("3", "110"));
    expect(effects).toEqual(["open", "flip"]);
    expect(realized[1]).toBe("10");
    expect(book).toMatchObject({ side: "short", size: "2", entryValue: "220" });
    expect(unrealizedPnl(book, "100")).toBe("20");
  });

  it("a fee in a third asset (BNB) is recorded on the fill but left out of PnL", () => {
    const r = applyFill(EMPTY_BOOK, buy("1", "100", "0.0002", "BNB"));
    expect(r.feeQuote).toBeNull();
    expect(r.book).toMatchObject({ size: "1", openFees: "0", feesPaid: "0" });
  });

  it("the ledger follows an account that holds less, at cost, inventing no PnL", () => {
    const { book } = run(buy("2", "100", "0.2"));
    const shrunk = shrinkTo(book, "0.5");
    expect(shrunk).toMatchObject({ size: "0.5", entryValue: "50", openFees: "0.05", realizedPnl: "0" });
    expect(shrinkTo(book, "5")).toBe(book);
    expect(shrinkTo(book, "0")).toMatchObject({ side: "flat", size: "0" });
  });

  it("dust a close could not sell leaves the book valued at the close price", () => {
    const { book } = run(spotBuy("0.002", "50000", "0.000002"), sell("0.00199", "51000"));
    expect(book.size).toBe("0.000008");
    const r = releaseDust(book, "51000");
    expect(r.book.side).toBe("flat");
    expect(r.released).toBe("0.000008");
  });
});

describe("applyFill properties", () => {
  const amount = fc.integer({ min: 1, max: 10_000 }).map((n) => dec(n).div(1000).toFixed());
  const price = fc.integer({ min: 1, max: 1_000_000 }).map((n) => dec(n).div(100).toFixed());
  it("without fees, realized PnL of a round trip is exactly the price difference times the amount", () => {
    fc.assert(
      fc.property(amount, price, price, (a, p1, p2) => {
        const { book } = run(buy(a, p1), sell(a, p2));
        expect(book.realizedPnl).toBe(dec(p2).minus(p1).times(a).toFixed());
        expect(book.side).toBe("flat");
      }),
    );
  });
  it("closing in two parts realises the same as closing at once", () => {
    fc.assert(
      fc.property(amount, amount, price, price, (a1, a2, p1, p2) => {
        const total = dec(a1).plus(a2).toFixed();
        const once = run(buy(total, p1, "0.01"), sell(total, p2));
        const twice = run(buy(total, p1, "0.01"), sell(a1, p2), sell(a2, p2));
        expect(twice.book.realizedPnl).toBe(once.book.realizedPnl);
      }),
    );
  });
});
