import { describe, expect, it } from "vitest";
import { InFlightOrders } from "~/server/engine/send-priority";

const PRO = 0;
const FLEX = 1;
const TRIAL = 2;
const tick = () => new Promise((r) => setTimeout(r, 5));

describe("InFlightOrders", () => {
  it("lets batches start only while their orders fit under the limit, and the next one as orders are answered", async () => {
    const inFlight = new InFlightOrders(128, 10_000);
    const started: string[] = [];
    const batches = ["a", "b", "c"].map((name) => inFlight.acquire(TRIAL, 64).then(() => started.push(name)));
    await tick();
    expect(started).toEqual(["a", "b"]);
    expect(inFlight.size).toBe(128);
    for (let i = 0; i < 63; i++) inFlight.release(TRIAL);
    await tick();
    expect(started).toEqual(["a", "b"]); // 65 in flight: 64 more do not fit yet
    inFlight.release(TRIAL);
    await Promise.all(batches);
    expect(started).toEqual(["a", "b", "c"]);
    expect(inFlight.size).toBe(128);
  });

  it("never holds a better priority back for worse orders in flight (they may be waiting for it at the write gate)", async () => {
    const inFlight = new InFlightOrders(128, 10_000);
    await inFlight.acquire(TRIAL, 128);
    let pro = false;
    const proBatch = inFlight.acquire(PRO, 64).then(() => (pro = true));
    await tick();
    expect(pro).toBe(true);
    await proBatch;
    // A FLEX batch counts PRO and FLEX orders only: 64 PRO + 64 FLEX fit, one more FLEX batch does not.
    let flex = 0;
    void inFlight.acquire(FLEX, 64).then(() => flex++);
    void inFlight.acquire(FLEX, 64).then(() => flex++);
    await tick();
    expect(flex).toBe(1);
    // TRIAL counts everything: nothing more for it until enough is answered.
    let trial = false;
    void inFlight.acquire(TRIAL, 1).then(() => (trial = true));
    for (let i = 0; i < 64; i++) inFlight.release(PRO);
    await tick();
    expect([flex, trial]).toEqual([2, false]);
  });

  it("a batch larger than the limit goes alone once nothing is in flight; a batch with no orders to send never waits", async () => {
    const inFlight = new InFlightOrders(10, 10_000);
    await inFlight.acquire(FLEX, 3);
    let big = false;
    const bigBatch = inFlight.acquire(FLEX, 64).then(() => (big = true));
    await inFlight.acquire(FLEX, 0);
    await tick();
    expect(big).toBe(false);
    for (let i = 0; i < 3; i++) inFlight.release(FLEX);
    await bigBatch;
    expect(inFlight.size).toBe(64);
  });

  it("is a soft bound: a batch that found no room within the wait goes anyway, and is counted", async () => {
    const inFlight = new InFlightOrders(64, 40);
    await inFlight.acquire(TRIAL, 64); // an exchange that hangs: these are not answered
    let went = false;
    const late = inFlight.acquire(TRIAL, 64).then(() => (went = true));
    await tick();
    expect(went).toBe(false);
    await late;
    expect([inFlight.overLimit, inFlight.size]).toEqual([1, 128]);
    // Room found in time is not counted.
    const quick = inFlight.acquire(TRIAL, 1);
    for (let i = 0; i < 128; i++) inFlight.release(TRIAL);
    await quick;
    expect([inFlight.overLimit, inFlight.size]).toEqual([1, 1]);
  });
});
