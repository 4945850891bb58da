/**
 * Stores a user's exchange credential: validates the input, seals the secret bound to
 * (user, exchange, environment, apiKey) and upserts the one row per (user, exchange, environment).
 * A replaced key starts again as UNVERIFIED with no permissions.
 */
import type { Prisma } from "~/generated/prisma/client";
import { parseCredentialInput } from "~/server/vault/credential-input";
import type { Keyring } from "~/server/vault/keyring";
import { seal } from "~/server/vault/secret-box";

type Tx = Prisma.TransactionClient;

export async function storeCredential(tx: Tx, keyring: Keyring, userId: string, raw: unknown) {
  const input = parseCredentialInput(raw);
  const sealedSecret = seal(keyring, input.apiSecret, {
    userId,
    exchange: input.exchange,
    environment: input.environment,
    apiKey: input.apiKey,
  });
  const fresh = {
    label: input.label ?? null,
    apiKey: input.apiKey,
    secretKind: input.secretKind,
    sealedSecret,
    keyId: keyring.primaryId,
    status: "UNVERIFIED" as const,
    canRead: false,
    canTrade: false,
    canFutures: false,
    canWithdraw: false,
    ipRestricted: false,
    permissionsReadAt: null,
    balance: null,
    balanceCurrency: null,
    balanceAt: null,
    expiresAt: null,
    boundIps: [],
    expiryWarnings: [],
    lastVerifiedAt: null,
    lastError: null,
    lastErrorKind: null,
    consecutiveFailures: 0,
  };
  return tx.exchangeCredential.upsert({
    where: { userId_exchange_environment: { userId, exchange: input.exchange, environment: input.environment } },
    create: { userId, exchange: input.exchange, environment: input.environment, ...fresh },
    update: fresh,
  });
}
