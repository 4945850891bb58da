// Key expiry and IP binding as the exchanges report them, set through the control API; numbers in control bodies.
import ccxt from "ccxt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { binanceClient, bybitClient, createSimAccount, rejection, simGet, simPost, type Credentials } from "./ccxt-test-clients.ts";
import { type Simulator, startSimulator } from "./server.ts";

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(() => sim.close());

const DAY = 86_400_000;
const bybitInfo = async (c: Credentials) => ((await bybitClient(sim.url, c).privateGetV5UserQueryApi()) as { result: { expiredAt: string; deadlineDay: number; ips: string[] } }).result;
const binanceInfo = async (c: Credentials) => (await binanceClient(sim.url, c).sapiGetAccountApiRestrictions()) as { ipRestrict: boolean; tradingAuthorityExpirationTime?: number };

async function raw(path: string, body: unknown): Promise<{ status: number; error: string }> {
  const res = await fetch(sim.url + path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  return { status: res.status, error: String(((await res.json()) as { error?: string }).error) };
}

describe("key expiry", () => {
  it("Bybit: a key without an IP binding expires 90 days after creation (expiredAt, deadlineDay); a bound key has no expiry", async () => {
    const open = await createSimAccount(sim.url, { exchange: "bybit" });
    const info = await bybitInfo(open);
    expect(info.ips).toEqual(["*"]);
    expect(info.deadlineDay).toBe(90);
    expect(Math.abs(Date.parse(info.expiredAt) - (Date.now() + 90 * DAY))).toBeLessThan(5_000);
    const bound = await bybitInfo(await createSimAccount(sim.url, { exchange: "bybit", ipRestricted: true }));
    expect(bound).toMatchObject({ expiredAt: "", deadlineDay: -1, ips: ["127.0.0.1", "::1"] });
  });

  it("expiresAt set at creation (ISO or epoch ms) is what each exchange reports", async () => {
    const at = new Date(Date.now() + 3 * DAY + 60_000);
    const bybit = await createSimAccount(sim.url, { exchange: "bybit", expiresAt: at.toISOString() });
    expect(await bybitInfo(bybit)).toMatchObject({ expiredAt: at.toISOString().replace(/\.\d+Z$/, "Z"), deadlineDay: 4 });
    const binance = await createSimAccount(sim.url, { exchange: "binance", expiresAt: at.getTime() });
    expect(await binanceInfo(binance)).toMatchObject({ ipRestrict: false, tradingAuthorityExpirationTime: at.getTime() });
    const plain = await binanceInfo(await createSimAccount(sim.url, { exchange: "binance" }));
    expect(plain.tradingAuthorityExpirationTime).toBeUndefined();
  });

  it("an expired key is refused on signed endpoints: Bybit retCode 33004, Binance -2015 (both AuthenticationError in ccxt)", async () => {
    const bybit = await createSimAccount(sim.url, { exchange: "bybit" });
    const binance = await createSimAccount(sim.url, { exchange: "binance" });
    await bybitClient(sim.url, bybit).fetchBalance();
    await binanceClient(sim.url, binance).fetchBalance();
    const past = new Date(Date.now() - 1_000).toISOString();
    for (const k of [bybit, binance]) expect(await simPost(sim.url, `/__sim/keys/${k.apiKey}`, { expiresAt: past })).toMatchObject({ apiKey: k.apiKey });
    const e1 = await rejection(bybitClient(sim.url, bybit).fetchBalance());
    expect(e1.constructor).toBe(ccxt.AuthenticationError);
    expect(e1.message).toContain("33004");
    const e2 = await rejection(binanceClient(sim.url, binance).fetchBalance());
    expect(e2.constructor).toBe(ccxt.AuthenticationError);
    expect(e2.message).toContain("-2015");
    // Renewed (null: no expiry): the same key works again.
    await simPost(sim.url, `/__sim/keys/${bybit.apiKey}`, { expiresAt: null });
    expect((await bybitInfo(bybit)).expiredAt).toBe("");
    const view = await simGet<{ keys: { expiresAt: string | null }[] }>(sim.url, `/__sim/accounts/${bybit.accountId}`);
    expect(view.keys[0]!.expiresAt).toBeNull();
  });

  it("refuses an expiry that is not a time, and an unknown key", async () => {
    const a = await createSimAccount(sim.url, { exchange: "bybit" });
    const bad = await raw(`/__sim/keys/${a.apiKey}`, { expiresAt: "in three days" });
    expect(bad.status).toBe(400);
    expect(bad.error).toContain("expiresAt must be an ISO time");
    expect((await raw("/__sim/keys/nope", { expiresAt: null })).status).toBe(404);
  });
});

describe("numbers in control bodies", () => {
  it("balances and prices accept numbers or decimal strings", async () => {
    const a = await createSimAccount(sim.url, { exchange: "binance", balances: { USDT: 1000, ETH: 0.5, BTC: "0.25" } });
    const view = await simGet<{ balances: { spot: Record<string, { free: string }> } }>(sim.url, `/__sim/accounts/${a.accountId}`);
    expect(view.balances.spot).toMatchObject({ USDT: { free: "1000" }, ETH: { free: "0.5" }, BTC: { free: "0.25" } });
    const bybitBalance = await bybitClient(sim.url, await createSimAccount(sim.url, { exchange: "bybit", balances: { USDT: 1234.5 } })).fetchBalance();
    expect((bybitBalance.total as unknown as Record<string, number>).USDT).toBe(1234.5);
    await simPost(sim.url, `/__sim/accounts/${a.accountId}/balances`, { balances: { USDT: 42 } });
    expect((await simGet<typeof view>(sim.url, `/__sim/accounts/${a.accountId}`)).balances.spot.USDT!.free).toBe("42");
    expect(await simPost(sim.url, "/__sim/prices", { symbol: "ETH/USDT", price: 3000.25 })).toMatchObject({ price: "3000.25" });
  });

  it("refuses junk with the field and what to send", async () => {
    const cases: [string, unknown, string][] = [
      ["/__sim/accounts", { exchange: "bybit", balances: { USDT: -5 } }, "balances.USDT"],
      ["/__sim/accounts", { exchange: "bybit", balances: { USDT: true } }, "a number or a decimal string"],
      ["/__sim/accounts", { exchange: "bybit", balances: { USDT: 1.123456789 } }, "balances.USDT"],
      ["/__sim/accounts", { exchange: "bybit", balances: { USDT: 1e21 } }, "balances.USDT"],
      ["/__sim/accounts", { exchange: "bybit", balances: { USDT: "ten" } }, "decimal string"],
      ["/__sim/prices", { symbol: "BTC/USDT", price: "abc" }, "price"],
      ["/__sim/prices", { symbol: "BTC/USDT", price: 0 }, "price must be above zero"],
    ];
    for (const [path, body, mention] of cases) {
      const res = await raw(path, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.error, JSON.stringify(body)).toContain(mention);
    }
  });
});
