/**
 * Markets loaded once per (exchange, environment) by a key-less loader client and shared by every
 * user's client through ccxt's setMarketsFromExchange (no per-user copy of ~1,200 markets).
 * Refreshed in the background; clients pick up a refresh by version.
 */
import type { Exchange as CcxtExchange } from "ccxt";
import { logger } from "~/server/logger";

export const MARKETS_TTL_MS = 60 * 60 * 1000;

interface Entry {
  loader: CcxtExchange;
  version: number;
  loadedAt: number;
  loading?: Promise<void>;
}

export class SharedMarkets {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly makeLoader: (key: string) => CcxtExchange) {}

  /** The loader for `key`, markets loaded (first call waits; stale ones refresh in the background). */
  async get(key: string): Promise<{ loader: CcxtExchange; version: number }> {
    let e = this.entries.get(key);
    if (!e) {
      e = { loader: this.makeLoader(key), version: 0, loadedAt: 0 };
      this.entries.set(key, e);
    }
    if (e.version === 0) {
      await this.load(e, false);
    } else if (Date.now() - e.loadedAt > MARKETS_TTL_MS && !e.loading) {
      void this.load(e, true).catch((err: unknown) => logger.warn({ err, markets: key }, "market refresh failed; keeping the old list"));
    }
    return { loader: e.loader, version: e.version };
  }

  private load(e: Entry, reload: boolean): Promise<void> {
    e.loading ??= (async () => {
      try {
        // A failed loadMarkets is cached by ccxt until loadMarkets(true) succeeds: always force.
        await e.loader.loadMarkets(reload || e.version === 0 ? true : false);
        e.version++;
        e.loadedAt = Date.now();
      } finally {
        e.loading = undefined;
      }
    })();
    return e.loading;
  }

  /** Market sets loaded ((exchange, environment) pairs: at most six). */
  get size() {
    return this.entries.size;
  }

  clear() {
    this.entries.clear();
  }
}
