import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { allEntries, anchorOf, entryForKind, renderTroubleshooting } from "~/server/error-catalogue/catalogue";
import { API_ENTRIES, apiHelpPath, SIGN_IN_ENTRIES } from "~/server/error-catalogue/account-errors";
import { SIZING_ENTRIES, SKIP_ENTRIES } from "~/server/error-catalogue/skip-reasons";
import { SIGNAL_ENTRIES, WEBHOOK_ENTRIES, webhookRefusal } from "~/server/error-catalogue/webhook-errors";
import { APP_ERROR_CODES } from "~/server/errors";
import { positionLegs, type Held, type RuleAlert } from "~/server/positions/position-rules";
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

  // Every error code the app can produce has an entry: the tables are typed by the code unions
  // (a new SizingCode, ReasonCode, SignInRefusal or AppErrorCode without an entry fails the build),
  // and the source is read for the places that write a code by hand.
  const SERVER = path.resolve(import.meta.dirname, "..");
  const sources = (dir: string): { file: string; text: string }[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
      const p = path.join(dir, d.name);
      if (d.isDirectory()) return sources(p);
      return /\.tsx?$/.test(d.name) && !/\.test\.tsx?$/.test(d.name) ? [{ file: path.relative(SERVER, p), text: fs.readFileSync(p, "utf8") }] : [];
    });

  it("every code the app writes as an execution's or a key's errorKind has an entry", () => {
    const written = new Set<string>();
    for (const { text } of sources(SERVER)) for (const m of text.matchAll(/errorKind(?: =|:) "([A-Z_]+)"/g)) written.add(m[1]!);
    expect(written.size).toBeGreaterThan(2);
    for (const kind of written) expect(entryForKind(kind), kind).not.toBeNull();
    for (const kind of EXCHANGE_ERROR_KINDS) expect(entryForKind(kind), kind).not.toBeNull();
    for (const e of [...Object.values(SKIP_ENTRIES), ...Object.values(SIZING_ENTRIES)]) expect(entryForKind(e.code)?.code).toBe(e.code);
  });

  it("no execution is SKIPPED without its code: every skip in the engine goes through the catalogue", () => {
    for (const { file, text } of sources(SERVER)) {
      // An outcome object literal with status SKIPPED must carry errorKind on the same line (the fan-out's
      // rows take a Reason, { code, message }, so the type checker holds those to it).
      for (const line of text.split("\n")) {
        if (/status: ES\.SKIPPED\b/.test(line)) expect(line, `${file}: ${line.trim()}`).toMatch(/errorKind: /);
      }
    }
    // The SQL that skips a reversal's open leg writes the code too.
    const release = fs.readFileSync(path.join(SERVER, "engine/result-writer.ts"), "utf8");
    expect(release).toContain("SKIP_ENTRIES.REVERSAL_STOPPED.code");
  });

  it("every position rule that places nothing says why with a catalogue code", () => {
    const sides: Held[] = [{ side: "flat", size: "0" }, { side: "long", size: "1" }, { side: "short", size: "1" }];
    const actions = ["buy", "sell", "exit", "add", "cancel", "breakeven"] as const;
    const positions = [null, "flat", "long", "short"] as const;
    let refusals = 0;
    for (const marketType of ["spot", "linear"] as const)
      for (const held of sides)
        for (const action of actions)
          for (const marketPosition of positions)
            for (const closePercent of [null, "150"]) {
              const alert = { action, marketPosition, positionSize: null, prevPositionSize: null, contracts: null, exitSide: action === "exit" ? "short" : null, closePercent } as unknown as RuleAlert;
              const r = positionLegs({ marketType, held, alert });
              if (r.ok) continue;
              refusals++;
              expect(entryForKind(r.code), `${marketType} ${held.side} ${action} ${marketPosition}: ${r.reason}`).not.toBeNull();
            }
    expect(refusals).toBeGreaterThan(20);
  });

  it("every webhook refusal answers with its code, its status and a link to its entry", () => {
    const codes = new Set(allEntries().map((e) => e.code));
    for (const [key, entry] of Object.entries(WEBHOOK_ENTRIES)) {
      const r = webhookRefusal(key as keyof typeof WEBHOOK_ENTRIES, "words");
      expect(r.status).toBe(entry.status);
      expect(r.body.code).toBe(entry.code);
      expect(r.body.help).toBe(`/help/troubleshooting#${anchorOf(entry.code)}`);
      expect(codes.has(r.body.code)).toBe(true);
    }
    // The webhook writes no 4xx answer by hand: each goes through webhookRefusal.
    const receive = fs.readFileSync(path.join(SERVER, "signals/receive-signal.ts"), "utf8");
    expect(receive).not.toMatch(/status: 4\d\d/);
  });

  it("every signal rejection, sign-in refusal and API error code has an entry", () => {
    for (const code of APP_ERROR_CODES) expect(API_ENTRIES[code]?.code, code).toBe(`API_${code}`);
    // REST error bodies link there: each path's anchor is on the troubleshooting page.
    const anchors = new Set(allEntries().map((e) => anchorOf(e.code)));
    for (const code of APP_ERROR_CODES) expect(anchors.has(apiHelpPath(code).split("#")[1]!), code).toBe(true);
    for (const e of [...Object.values(SIGNAL_ENTRIES), ...Object.values(SIGN_IN_ENTRIES)]) expect(entryForKind(e.code)?.code).toBe(e.code);
    const decision = fs.readFileSync(path.join(SERVER, "signals/decision.ts"), "utf8");
    for (const m of decision.matchAll(/add\("([A-Z_]+)"/g)) expect(SIGNAL_ENTRIES[m[1] as keyof typeof SIGNAL_ENTRIES], m[1]).toBeDefined();
    const signIn = fs.readFileSync(path.join(SERVER, "auth/sign-in.ts"), "utf8");
    for (const m of signIn.matchAll(/ok: false, reason: "([a-z_]+)"/g)) expect(SIGN_IN_ENTRIES[m[1] as keyof typeof SIGN_IN_ENTRIES], m[1]).toBeDefined();
  });
});
