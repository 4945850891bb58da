/** The process-wide exchange adapter, wired to the vault, the simulator setting and auto-disable. */
import { getEnv } from "~/env";
import { getDb } from "~/server/db";
import { ExchangeAdapter } from "~/server/exchanges/exchange-adapter";
import { ExchangeClients } from "~/server/exchanges/exchange-clients";
import { disableAfterAuthFailure } from "~/server/keys/verify-credential";
import { logger } from "~/server/logger";
import { getKeyring } from "~/server/vault/process-keyring";

const g = globalThis as unknown as { __keyrelayAdapter?: ExchangeAdapter };

export function getExchangeAdapter(): ExchangeAdapter {
  if (!g.__keyrelayAdapter) {
    const clients = new ExchangeClients({ keyring: getKeyring(), simulatorUrl: getEnv().EXCHANGE_SIMULATOR_URL });
    g.__keyrelayAdapter = new ExchangeAdapter(clients, {
      onAuthFailure: async (cred, err) => {
        logger.warn({ credentialId: cred.id, exchange: cred.exchange }, "exchange refused a key; disabling it");
        await disableAfterAuthFailure(getDb(), cred.id, err.message);
      },
    });
  }
  return g.__keyrelayAdapter;
}
