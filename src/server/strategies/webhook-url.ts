/**
 * The webhook URL's origin, from NEXTAUTH_URL on the server (never the admin's browser host: an
 * admin on an SSH tunnel or a LAN address would copy a URL TradingView cannot reach), with a
 * warning when TradingView could not call it: TradingView only calls ports 80 and 443, and only
 * https keeps the token in the URL private on the way.
 */
import { envVar } from "~/env";

export function webhookUrlBase(source: Record<string, string | undefined> = process.env): { base: string; warning: string | null } {
  const configured = envVar("NEXTAUTH_URL", source);
  const base = (configured ?? `http://localhost:${envVar("PORT", source)}`).replace(/\/+$/, "");
  const url = new URL(base);
  const ok = url.protocol === "https:" && (url.port === "" || url.port === "443");
  const warning = ok
    ? null
    : `Webhook URLs start with ${base}${configured ? "" : " (NEXTAUTH_URL is not set)"}: TradingView only calls ports 80 and 443, and only https keeps the token in the URL private. Set NEXTAUTH_URL to this server's public https address (port 443).`;
  return { base, warning };
}
