/**
 * Leverage and margin mode on a perpetual, before an entry: set on the user's own account when they
 * differ from what this process last set there (remembered per key and symbol by the adapter, so a
 * fan-out does not repeat the calls), and a refusal becomes the execution's reason in the user's
 * words (leverage above the symbol's maximum, a margin-mode change while a position is open).
 */
import type { EngineDeps } from "~/server/engine/engine-deps";
import type { CredentialRef } from "~/server/exchanges/exchange-clients";
import { isExchangeError } from "~/server/exchanges/map-error";

export interface FuturesWanted {
  /** 1 or more; 1 on an account never set is left alone (the exchange's default applies). */
  leverage: number;
  marginMode: "ISOLATED" | "CROSS" | null;
}

/** Null when the account is set as wanted; otherwise why the entry cannot go. */
export async function applyFuturesSettings(deps: Pick<EngineDeps, "adapter">, cred: CredentialRef, symbol: string, want: FuturesWanted): Promise<string | null> {
  const a = deps.adapter;
  if (want.marginMode) {
    const mode = want.marginMode === "ISOLATED" ? "isolated" : "cross";
    if (a.accountSettings.get(cred, symbol, "marginMode") !== mode) {
      try {
        await a.setMarginMode(cred, symbol, mode);
        a.accountSettings.set(cred, symbol, "marginMode", mode);
      } catch (err) {
        if (!isExchangeError(err) || err.kind === "TEMPORARY" || err.kind === "UNKNOWN_OUTCOME" || err.kind === "RATE_LIMITED") throw err;
        return `Could not set ${mode} margin on ${symbol} (your subscription asks for it): ${err.message} Close the position or open orders on that symbol, or change the subscription's margin mode.`;
      }
    }
  }
  if (want.leverage > 1 && a.accountSettings.get(cred, symbol, "leverage") !== want.leverage) {
    try {
      await a.setLeverage(cred, symbol, want.leverage);
      a.accountSettings.set(cred, symbol, "leverage", want.leverage);
    } catch (err) {
      if (!isExchangeError(err) || err.kind === "TEMPORARY" || err.kind === "UNKNOWN_OUTCOME" || err.kind === "RATE_LIMITED") throw err;
      return `Could not set ${want.leverage}x leverage on ${symbol}: ${err.message} Lower the leverage (the alert's or your subscription's) to at most the symbol's maximum.`;
    }
  }
  return null;
}
