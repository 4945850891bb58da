/** The catalogue's key-verification part: outcomes of verifying a key that are not an exchange's own error. */
import type { CatalogueEntry } from "~/server/error-catalogue/catalogue-entry";

const KEYS_PAGE = "Keys page (Keys in the menu): the exchange's card";

/** By the errorKind verification records (keys/verify-credential.ts). */
export const KEY_ENTRIES = {
  IP_RESTRICTION: {
    code: "KEY_IP_RESTRICTION",
    title: "The key must be restricted to this server's IP addresses",
    cause: "The operator requires IP-restricted keys (REQUIRE_KEY_IP_RESTRICTION), and the exchange reports that this key works from any IP address.",
    fix: "On the exchange, edit the key and restrict it to the egress IPs the Keys page lists (copy them from the card), then press Verify.",
    where: KEYS_PAGE,
  },
  VAULT: {
    code: "KEY_VAULT",
    title: "The stored secret can no longer be opened",
    cause: "The key's secret was sealed with an encryption key the server no longer has (the operator retired it before re-sealing).",
    fix: "Enter the key and its secret again on the Keys page. Operators: run npm run keys:rotate before removing an old key (docs/security.md).",
    where: KEYS_PAGE,
  },
} as const satisfies Record<string, CatalogueEntry>;
