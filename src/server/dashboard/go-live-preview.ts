/**
 * What switching to PERSONAL (live) would trade: every subscription with its size and the exchange
 * key it uses, and whether its next signal would really place an order on that key. Shown in the
 * confirmation before the mode changes.
 */
import type { Db } from "~/server/db";
import { maskApiKey } from "~/server/vault/mask";

export async function goLivePreview(db: Db, userId: string) {
  const [subs, activeKeys] = await Promise.all([
    db.subscription.findMany({
      where: { userId },
      orderBy: { createdAt: "asc" },
      include: { strategy: { select: { name: true, enabled: true } }, credential: { select: { exchange: true, environment: true, apiKey: true, status: true, label: true } } },
    }),
    db.exchangeCredential.count({ where: { userId, status: "ACTIVE" } }),
  ]);
  return {
    activeKeys,
    subscriptions: subs.map((s) => ({
      id: s.id,
      strategyName: s.strategy.name,
      sizingMode: s.sizingMode,
      sizingValue: s.sizingValue.toFixed(),
      maxNotional: s.maxNotional?.toFixed() ?? null,
      leverageCap: s.leverageCap,
      paused: s.paused,
      key: s.credential
        ? { exchange: s.credential.exchange, environment: s.credential.environment, apiKeyMasked: maskApiKey(s.credential.apiKey), status: s.credential.status, label: s.credential.label }
        : null,
      willTrade: !s.paused && s.strategy.enabled && s.credential?.status === "ACTIVE",
    })),
  };
}
