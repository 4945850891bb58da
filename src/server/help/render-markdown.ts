/**
 * docs/users.md, rendered from the guides (`npm run docs:users`; guides.test.ts fails when the file is stale).
 * One file: links between guides become anchors, troubleshooting links point at docs/troubleshooting.md.
 */
import type { Block, Guide } from "~/server/help/guide-types";
import { GUIDES, TROUBLESHOOTING_LINK } from "~/server/help/guides";
import { FIND_EGRESS_IPS } from "~/server/keys/egress-ips";

export const WEBHOOK_URL_EXAMPLE = "https://<your KeyRelay address>/api/webhooks/tradingview/<token>";

/** An app link as the Markdown file spells it. */
export function markdownHref(href: string): string {
  const [path = "", fragment] = href.split("#");
  if (path === "/help/troubleshooting") return `troubleshooting.md${fragment ? `#${fragment}` : ""}`;
  const slug = /^\/help\/([a-z0-9-]+)$/.exec(path)?.[1];
  if (slug) return `#${fragment ? `${slug}-${fragment}` : slug}`;
  if (path === "/help") return "#user-guides";
  return href;
}

const inline = (text: string) => text.replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (_, label: string, href: string) => `[${label}](${markdownHref(href)})`);

function block(b: Block): string[] {
  switch (b.kind) {
    case "p":
      return [inline(b.text), ""];
    case "note":
      return [`> **Note:** ${inline(b.text)}`, ""];
    case "steps":
      return [...b.items.map((item, i) => `${i + 1}. ${inline(item)}`), ""];
    case "list":
      return [...b.items.map((item) => `- ${inline(item)}`), ""];
    case "code": {
      const lang = /^\s*\{/.test(b.code) ? "json" : "text";
      return [...(b.caption ? [`*${b.caption}:*`, ""] : []), "```" + lang, b.code, "```", ""];
    }
    case "screen":
      return [`![${b.alt}](../public/help/screens/${b.name}.png)`, ""];
    case "egress-ips":
      return [
        `**This server's IP addresses:** the Keys page (and this guide in the app) lists them, with a copy button, when the operator has set \`EGRESS_IPS\`. If it does not, ${FIND_EGRESS_IPS}`,
        "",
      ];
    case "webhook-url":
      return ["```text", WEBHOOK_URL_EXAMPLE, "```", ""];
  }
}

function guide(g: Guide): string[] {
  const out = [`<a id="${g.slug}"></a>`, "", `## ${g.title}`, "", `*${g.summary}*`, "", `In the app: \`/help/${g.slug}\`.`, ""];
  for (const s of g.sections) {
    out.push(`<a id="${g.slug}-${s.id}"></a>`, "", `### ${s.heading}`, "");
    for (const b of s.blocks) out.push(...block(b));
  }
  return out;
}

export function renderUsersGuide(): string {
  const out = [
    "# KeyRelay user guides",
    "",
    "<!-- Generated from src/server/help by `npm run docs:users`; do not edit by hand. -->",
    "",
    "The same guides are in the app at `/help` (public, no sign-in needed). Screenshots are of KeyRelay's own screens, taken by the e2e run (`e2e/help-screens.spec.ts`).",
    "",
    '<a id="user-guides"></a>',
    "",
    ...GUIDES.map((g) => `- [${g.title}](#${g.slug}): ${g.summary}`),
    `- [${TROUBLESHOOTING_LINK.title}](troubleshooting.md): ${TROUBLESHOOTING_LINK.summary}`,
    "",
  ];
  for (const g of GUIDES) out.push(...guide(g));
  return out.join("\n").replace(/\n+$/, "\n");
}
