import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { allEntries, anchorOf, renderTroubleshooting } from "~/server/error-catalogue/catalogue";
import { EXCHANGE_CODE_ENTRIES, EXCHANGE_KIND_ENTRIES } from "~/server/error-catalogue/exchange-errors";
import { EXCHANGE_ERROR_KINDS, mapCcxtError, PERMISSION_CODES } from "~/server/exchanges/map-error";
import { PROFILES } from "~/server/exchanges/profiles";

describe("the error catalogue", () => {
  it("has an entry for every kind an exchange error is recorded as", () => {
    for (const kind of EXCHANGE_ERROR_KINDS) expect(EXCHANGE_KIND_ENTRIES[kind]?.code, kind).toMatch(/^EXCHANGE_/);
  });

  // Not the noop codes ("leverage not modified"...): the adapter treats them as success, no one sees them.
  const readCodes = (exchange: "BINANCE" | "BYBIT") => {
    const p = PROFILES[exchange];
    return new Set([...p.duplicateClientIdCodes, ...p.insufficientFundsCodes, ...p.authCodes, ...p.invalidOrderCodes, ...p.positionModeCodes, ...PERMISSION_CODES[exchange]]);
  };

  it("has an entry for every exchange code the mapping reads, filed under the kind the mapping records", () => {
    for (const exchange of ["BINANCE", "BYBIT"] as const) {
      for (const code of readCodes(exchange)) {
        const entry = EXCHANGE_CODE_ENTRIES.find((e) => e.exchange === exchange && e.exchangeCode === code);
        expect(entry, `${exchange} ${code} has no catalogue entry`).toBeDefined();
      }
    }
    // The kind each entry is filed under is the one mapCcxtError gives its code (with the words that pick it).
    // Codes the mapping does not read itself (Binance -2010, -1021) are classed by ccxt's error classes.
    const words: Record<string, string> = { PERMISSION: "permission denied", DUPLICATE_CLIENT_ID: "duplicate order" };
    for (const e of EXCHANGE_CODE_ENTRIES) {
      if (!readCodes(e.exchange).has(e.exchangeCode)) continue;
      const body = JSON.stringify({ code: e.exchangeCode, msg: words[e.kind] ?? "refused" });
      const mapped = mapCcxtError(new Error(`${e.exchange.toLowerCase()} ${body}`), e.exchange);
      expect(mapped.kind, `${e.exchange} ${e.exchangeCode}`).toBe(e.kind);
    }
  });

  it("every errorKind key verification records has an entry (exchange kinds and the key's own)", async () => {
    const { helpAnchorForKind } = await import("~/server/error-catalogue/catalogue");
    const source = fs.readFileSync(path.resolve(import.meta.dirname, "../keys/verify-credential.ts"), "utf8");
    const own = [...source.matchAll(/errorKind = "([A-Z_]+)"/g)].map((m) => m[1]!);
    expect(own.length).toBeGreaterThan(1);
    for (const kind of [...own, ...EXCHANGE_ERROR_KINDS]) expect(helpAnchorForKind(kind), kind).toMatch(/^[a-z0-9-]+$/);
    expect(helpAnchorForKind("AUTH")).toBe("exchange-auth");
  });

  it("names every entry once, with a cause, a fix and where to look", () => {
    const entries = allEntries();
    expect(new Set(entries.map((e) => e.code)).size).toBe(entries.length);
    for (const e of entries) {
      expect(e.code).toMatch(/^[A-Z][A-Z0-9_]+$/);
      for (const text of [e.title, e.cause, e.fix, e.where]) expect(text.length, e.code).toBeGreaterThan(3);
    }
  });

  it("docs/troubleshooting.md is generated from it and up to date (npm run docs:troubleshooting)", () => {
    const doc = fs.readFileSync(path.resolve(import.meta.dirname, "../../../docs/troubleshooting.md"), "utf8");
    expect(doc).toBe(renderTroubleshooting());
    expect(doc).toContain(`<a id="${anchorOf("BINANCE_M2015")}"></a>`);
  });
});
