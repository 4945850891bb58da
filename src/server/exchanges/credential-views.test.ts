/**
 * Views of one shared ccxt instance, against the simulator (which checks every signature): 200
 * concurrent orders from 100 views of the same instance are each signed by their own key, a view's
 * option writes stay its own, and the shared instance holds no key at all; a call with a write hook
 * (withBeforeWrite) is a sibling of its view, signed by the same key.
 */
import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sha256, sha384, sha512 } from "@noble/hashes/sha2.js";
import { keccak_256 } from "@noble/hashes/sha3.js";
import ccxt from "ccxt";
import { credentialView, nativeHmac, viewableClass, withBeforeWrite } from "~/server/exchanges/credential-views";
import { PROFILES } from "~/server/exchanges/profiles";
import { createSimAccount, ledger, simPost } from "~/sim/ccxt-test-clients";
import { startSimulator, type Simulator } from "~/sim/server";

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ port: 0 });
});
afterAll(() => sim.close());

function shared(id: "binance" | "bybit") {
  const Ctor = viewableClass(id);
  const p = PROFILES[id === "binance" ? "BINANCE" : "BYBIT"];
  const c = new Ctor({ enableRateLimit: false, options: { ...p.options }, ...(p.has ? { has: p.has } : {}) });
  const api = (c.urls as { api: Record<string, string> }).api;
  for (const name of Object.keys(api)) api[name] = api[name]!.replace(/^https:\/\/[^/]+/, sim.url);
  return c;
}

/** A loaded shared instance and `n` funded accounts' views of it. */
async function viewsOf(id: "binance" | "bybit", n: number) {
  await simPost(sim.url, "/__sim/prices", { exchange: id, symbol: "BTC/USDT", price: "50000" });
  const base = shared(id);
  await base.loadMarkets();
  const accounts = await Promise.all(Array.from({ length: n }, () => createSimAccount(sim.url, { exchange: id, balances: { USDT: "100000" } })));
  const views = accounts.map((a) => credentialView(base, { apiKey: a.apiKey, secret: a.secret }));
  return { base, accounts, views, tag: crypto.randomBytes(3).toString("hex") };
}

describe.each(["binance", "bybit"] as const)("%s credential views", (id) => {
  it("100 views of one instance, 2 concurrent orders each: every order signed by its own key; the shared instance holds none", async () => {
    const { base, accounts, views, tag } = await viewsOf(id, 100);
    await Promise.all(views.flatMap((v, i) => [0, 1].map((n) => v.createOrder("BTC/USDT", "market", "buy", 0.001, undefined, { clientOrderId: `v${tag}-${i}-${n}` }))));
    const orders = (await ledger(sim.url)).filter((o) => o.clientOrderId?.startsWith(`v${tag}-`));
    expect(orders).toHaveLength(200);
    const wrong = orders.filter((o) => o.apiKey !== accounts[Number(o.clientOrderId!.split("-")[1])]!.apiKey);
    expect(wrong).toEqual([]);
    expect([base.apiKey, base.secret]).toEqual([undefined, undefined]);
    // Nothing of a signed request stays on the view (ccxt's last-request bookkeeping is off on views).
    expect(views.filter((v) => Object.hasOwn(v, "last_request_headers") || Object.hasOwn(v, "last_request_url") || Object.hasOwn(v, "lastRestRequestTimestamp"))).toEqual([]);
    // A view's own options: a write on one is not seen by another or by the shared instance.
    views[0]!.options.krProbe = tag;
    expect([views[0]!.options.krProbe, views[1]!.options.krProbe, base.options.krProbe]).toEqual([tag, undefined, undefined]);
  }, 60_000);

  it("a call with a write hook is a sibling of its key's view: signed by that key, its hook run before its create is written, the view never made a prototype", async () => {
    const { base, accounts, views, tag } = await viewsOf(id, 20);
    const onLedgerWhenHookRan: number[] = [];
    const calls = views.map((v, i) =>
      withBeforeWrite(v, {
        matches: (_url, method) => method === "POST",
        run: async () => void onLedgerWhenHookRan.push((await ledger(sim.url, `?clientOrderId=h${tag}-${i}`)).length),
      }),
    );
    // Each key: a hooked order and a plain one on its view, concurrently.
    await Promise.all(views.flatMap((v, i) => [
      calls[i]!.createOrder("BTC/USDT", "market", "buy", 0.001, undefined, { clientOrderId: `h${tag}-${i}` }),
      v.createOrder("BTC/USDT", "market", "buy", 0.001, undefined, { clientOrderId: `p${tag}-${i}` }),
    ]));
    const orders = (await ledger(sim.url)).filter((o) => o.clientOrderId?.slice(1).startsWith(`${tag}-`));
    expect(orders).toHaveLength(40);
    expect(orders.filter((o) => o.apiKey !== accounts[Number(o.clientOrderId!.split("-")[1])]!.apiKey)).toEqual([]);
    expect(onLedgerWhenHookRan).toEqual(views.map(() => 0));
    // Siblings, not children: an object that becomes a prototype gets a hidden class of its own in V8.
    expect(calls.every((c) => Object.getPrototypeOf(c) === base)).toBe(true);
    expect(views.some((v) => calls.some((c) => Object.prototype.isPrototypeOf.call(v, c)))).toBe(false);
    // What ccxt writes into options during a call stays with the key's view.
    calls[0]!.options.krProbe = tag;
    expect([views[0]!.options.krProbe, views[1]!.options.krProbe]).toEqual([tag, undefined]);
  }, 60_000);

  it("a view without the shared instance's late binding would sign with the instance's key: plain ccxt instances are not viewable", async () => {
    const Plain = (await import("ccxt")).default[id];
    const plain = new Plain({ enableRateLimit: false });
    const view = Object.create(plain) as typeof plain;
    view.apiKey = "k";
    // ccxt's own implicit methods are closures over the instance they were built for.
    const implicit = id === "binance" ? "privateGetAccount" : "privateGetV5AccountWalletBalance";
    expect(Object.hasOwn(plain, implicit)).toBe(true);
    expect(String((plain as unknown as Record<string, unknown>)[implicit])).toContain("=>");
    expect(String((shared(id) as unknown as Record<string, unknown>)[implicit])).not.toContain("=>");
  });
});

describe("native HMAC", () => {
  // ccxt's own implementation, as a stock instance has it
  const ccxtHmac = (new ccxt.binance() as unknown as { hmac: Parameters<typeof nativeHmac>[0] }).hmac;
  const inputs: [string | Uint8Array, string | Uint8Array][] = [
    ["symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.0004&timestamp=1700000000000", "s3cr3t"],
    [new TextEncoder().encode("1700000000000key5000{\"category\":\"spot\",\"qty\":\"0.0004\"}"), new TextEncoder().encode("ünïcode-secret")],
    ["", "k"],
  ];

  it.each([["sha256", sha256], ["sha384", sha384], ["sha512", sha512]] as const)("%s: the same bytes as ccxt's, in hex, base64 and binary", (_name, hash) => {
    const native = nativeHmac(ccxtHmac);
    for (const [request, secret] of inputs) {
      for (const digest of ["hex", "base64", "binary"]) {
        expect(native(request, secret, hash, digest)).toEqual(ccxtHmac(request, secret, hash, digest));
      }
    }
  });

  it("a hash without a native match stays with ccxt's implementation, and the views sign natively", () => {
    let calls = 0;
    const counting: typeof ccxtHmac = (...args) => (calls++, ccxtHmac(...args));
    const native = nativeHmac(counting);
    expect(native("a", "b", keccak_256, "hex")).toBe(ccxtHmac("a", "b", keccak_256, "hex"));
    expect(calls).toBe(2); // the probe, then the call itself
    calls = 0;
    native("a", "b", sha256, "hex");
    native("c", "d", sha256, "hex");
    expect(calls).toBe(1); // the probe only, once
    const view = credentialView(shared("bybit"), { apiKey: "k", secret: "s" }) as unknown as { hmac: { name: string } };
    expect(view.hmac.name).toBe("hmac");
    expect(String(view.hmac)).toContain("createHmac");
  });
});
