/**
 * The user guides as data: one source for the public pages (/help/<slug>) and docs/users.md.
 * Text may hold `code`, **bold** and [links](/help/<slug>); links to help pages work in both.
 */

export type Block =
  | { kind: "p"; text: string }
  /** Numbered steps, done in order. */
  | { kind: "steps"; items: string[] }
  | { kind: "list"; items: string[] }
  /** A copy-pasteable block; `format` names the alert format it is an example of (checked by a test). */
  | { kind: "code"; code: string; caption?: string; format?: string }
  /** A note that matters for safety or money. */
  | { kind: "note"; text: string }
  /** A screenshot of one of KeyRelay's own screens, taken by e2e/help-screens.spec.ts. */
  | { kind: "screen"; name: ScreenName; alt: string }
  /** This server's egress IPs (EGRESS_IPS) on the page; where to find them in the Markdown. */
  | { kind: "egress-ips" }
  /** The webhook URL as the strategy page shows it (NEXTAUTH_URL on the page). */
  | { kind: "webhook-url" };

export type Section = { heading: string; id: string; blocks: Block[] };

export type Guide = { slug: string; title: string; summary: string; sections: Section[] };

/** Every screenshot the guides use: public/help/screens/<name>.png. */
export const SCREEN_NAMES = ["keys-connected", "trading-mode", "go-live-dialog", "strategy-alert", "subscription-settings"] as const;
export type ScreenName = (typeof SCREEN_NAMES)[number];

export const screenSrc = (name: ScreenName) => `/help/screens/${name}.png`;

/** A placeholder the pages and the Markdown show in place of a strategy's secret webhook token. */
export const TOKEN_PLACEHOLDER = "<token>";
export const WEBHOOK_PATH = "/api/webhooks/tradingview/";
