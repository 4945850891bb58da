import { describe, expect, it } from "vitest";
import { WriteGate } from "~/server/engine/write-gate";

const PRO = 0;
const FLEX = 1;
const TRIAL = 2;

describe("WriteGate", () => {
  it("a FLEX write waits for every registered PRO write of the same signal; TRIAL for FLEX", async () => {
    const gate = new WriteGate(10_000);
    const order: string[] = [];
    const pro = [gate.register("s1", PRO), gate.register("s1", PRO)];
    const flex = gate.register("s1", FLEX);
    const trial = gate.register("s1", TRIAL);
    const waits = [
      gate.beforeWrite(trial).then(() => order.push("trial")),
      gate.beforeWrite(flex).then(() => order.push("flex")),
    ];
    await new Promise((r) => setTimeout(r, 20));
    expect(order).toEqual([]);
    await gate.beforeWrite(pro[1]!);
    order.push("pro");
    await new Promise((r) => setTimeout(r, 5));
    expect(order).toEqual(["pro"]); // one PRO still unwritten
    await gate.beforeWrite(pro[0]!);
    order.push("pro");
    await Promise.all(waits);
    expect(order).toEqual(["pro", "pro", "flex", "trial"]);
  });

  it("a better tier's send that ends without writing gives its place up", async () => {
    const gate = new WriteGate(10_000);
    const pro = gate.register("s1", PRO);
    const flex = gate.register("s1", FLEX);
    let written = false;
    const w = gate.beforeWrite(flex).then(() => (written = true));
    await new Promise((r) => setTimeout(r, 10));
    expect(written).toBe(false);
    gate.release(pro); // refused before the wire
    await w;
    expect(written).toBe(true);
    gate.release(pro); // idempotent
  });

  it("a stalled better tier holds the others at most maxWaitMs", async () => {
    const gate = new WriteGate(30);
    gate.register("s1", PRO); // never written
    const flex = gate.register("s1", FLEX);
    const t0 = Date.now();
    await gate.beforeWrite(flex);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(25);
  });

  it("signals do not wait for each other; the same tier does not wait for itself; 0 turns the gate off", async () => {
    const gate = new WriteGate(10_000);
    gate.register("s1", PRO);
    const other = gate.register("s2", TRIAL);
    await gate.beforeWrite(other); // resolves: s2 has no better tier registered
    const sameTier = gate.register("s1", PRO);
    await gate.beforeWrite(sameTier);
    const off = new WriteGate(0);
    off.register("s1", PRO);
    await off.beforeWrite(off.register("s1", TRIAL));
  });
});
