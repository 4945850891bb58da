import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { SCREEN_NAMES, type Block } from "~/server/help/guide-types";
import { GUIDES } from "~/server/help/guides";
import { markdownHref, renderUsersGuide } from "~/server/help/render-markdown";
import { ALERT_FORMATS } from "~/server/signals/webhook-payload";
import { convertAlert } from "~/server/signals/alert-formats/convert-alert";

const root = path.resolve(import.meta.dirname, "../../..");
const blocks = () => GUIDES.flatMap((g) => g.sections.flatMap((s) => s.blocks.map((b) => ({ guide: g.slug, b }))));
const texts = (b: Block): string[] => (b.kind === "p" || b.kind === "note" ? [b.text] : b.kind === "steps" || b.kind === "list" ? b.items : []);

describe("the user guides", () => {
  it("has the guides the help section promises, each with a unique slug, a summary and sections with unique ids", () => {
    expect(GUIDES.map((g) => g.slug)).toEqual(["connect-binance", "connect-bybit", "tradingview-alerts", "sizing-and-protection", "paper-before-live"]);
    for (const g of GUIDES) {
      expect(g.summary.length, g.slug).toBeGreaterThan(20);
      const ids = g.sections.map((s) => s.id);
      expect(new Set(ids).size, g.slug).toBe(ids.length);
      for (const s of g.sections) {
        expect(s.id, g.slug).toMatch(/^[a-z0-9-]+$/);
        expect(s.blocks.length, `${g.slug}#${s.id}`).toBeGreaterThan(0);
      }
    }
  });

  it("gives one example per supported alert format, and each is recognised as that format and read without errors", () => {
    const examples = blocks().flatMap(({ b }) => (b.kind === "code" && b.format ? [b] : []));
    const formats = examples.map((e) => e.format);
    // KeyRelay's own key=value and form bodies are the same fields as its JSON: one JSON example stands for them.
    expect(new Set(formats)).toEqual(new Set(ALERT_FORMATS.filter((f) => f !== "key-value" && f !== "form")));
    for (const e of examples) {
      const c = convertAlert(e.code);
      expect(c.errors, e.caption).toEqual([]);
      expect(c.format, e.caption).toBe(e.format);
      expect(c.understood?.symbol, e.caption).toBe("BTC/USDT");
    }
  });

  it("links only to help pages that exist (and their sections), and uses only screenshots the e2e run takes", () => {
    const slugs = new Map(GUIDES.map((g) => [g.slug, new Set(g.sections.map((s) => s.id))]));
    for (const { guide, b } of blocks()) {
      if (b.kind === "screen") expect(SCREEN_NAMES, guide).toContain(b.name);
      for (const t of texts(b)) {
        for (const [, href] of t.matchAll(/\]\(([^)\s]+)\)/g)) {
          const [p = "", frag] = href!.split("#");
          if (p === "/help/troubleshooting") continue;
          const slug = /^\/help\/([a-z0-9-]+)$/.exec(p)?.[1];
          expect(slug && slugs.has(slug), `${guide}: ${href}`).toBe(true);
          if (frag) expect(slugs.get(slug!)?.has(frag), `${guide}: ${href}`).toBe(true);
        }
      }
    }
    const spec = fs.readFileSync(path.join(root, "e2e/help-screens.spec.ts"), "utf8");
    for (const name of SCREEN_NAMES) expect(spec, `e2e/help-screens.spec.ts takes ${name}`).toContain(`"${name}"`);
  });

  it("Markdown links point at the same guide's anchors and at docs/troubleshooting.md", () => {
    expect(markdownHref("/help/connect-bybit")).toBe("#connect-bybit");
    expect(markdownHref("/help/connect-bybit#testnet-demo")).toBe("#connect-bybit-testnet-demo");
    expect(markdownHref("/help/troubleshooting#exchange-auth")).toBe("troubleshooting.md#exchange-auth");
  });

  it("docs/users.md is generated from them and up to date (npm run docs:users)", () => {
    const doc = fs.readFileSync(path.join(root, "docs/users.md"), "utf8");
    expect(doc).toBe(renderUsersGuide());
    for (const g of GUIDES) expect(doc).toContain(`<a id="${g.slug}"></a>`);
    expect(doc).toContain("](../public/help/screens/keys-connected.png)");
  });
});
