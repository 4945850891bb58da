// GET /v5/user/query-api: what Bybit says about an API key (KeyRelay reads its permissions, IP binding and expiry).
import type { Account, ApiKey } from "./state.ts";

/** GET /v5/user/query-api: the permissions object keeps every real category, empty when not granted. */
export function apiKeyInfo(key: ApiKey, account: Account): unknown {
  const p = key.permissions;
  const trades = p.spotTrade || p.futures || p.withdraw;
  return {
    id: String(Math.abs(hashCode(key.apiKey))),
    note: "keyrelay-sim",
    apiKey: key.apiKey,
    readOnly: trades ? 0 : 1,
    secret: "",
    permissions: {
      ContractTrade: p.futures ? ["Order", "Position"] : [],
      Spot: p.spotTrade ? ["SpotTrade"] : [],
      Wallet: p.withdraw ? ["AccountTransfer", "SubMemberTransfer", "Withdraw"] : [],
      Options: [],
      Derivatives: p.futures ? ["DerivativesTrade"] : [],
      Exchange: [],
      NFT: [],
      CopyTrading: [],
      BlockTrade: [],
      Affiliate: [],
    },
    ips: key.ips ?? ["*"],
    type: 1,
    // days left before the key expires (Bybit: keys without an IP binding, 90 days from creation); -1: no expiry
    deadlineDay: key.expiresAt === null ? -1 : Math.max(0, Math.ceil((key.expiresAt - Date.now()) / 86_400_000)),
    expiredAt: key.expiresAt === null ? "" : isoSeconds(key.expiresAt),
    createdAt: isoSeconds(key.createdAt),
    unified: 0,
    uta: 1,
    userID: Number(account.id.replace(/\D/g, "")) || 1,
    inviterID: 0,
    vipLevel: "No VIP",
    mktMakerLevel: "0",
    affiliateID: 0,
    rsaPublicKey: "",
    isMaster: true,
    parentUid: "0",
    kycLevel: "LEVEL_1",
    kycRegion: "",
  };
}

const isoSeconds = (ms: number): string => new Date(ms).toISOString().replace(/\.\d+Z$/, "Z");

function hashCode(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (Math.imul(h, 31) + text.charCodeAt(i)) | 0;
  return h;
}
