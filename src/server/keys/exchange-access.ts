/** The process-wide exchange adapter, wired to the vault, the simulator setting and auto-disable (built by engine/runtime.ts). */
import type { ExchangeAdapter } from "~/server/exchanges/exchange-adapter";
import { exchangeAdapter } from "~/server/engine/runtime";

export function getExchangeAdapter(): ExchangeAdapter {
  return exchangeAdapter();
}
