/**
 * Connecting a Binance key and a Bybit key. True of src/server/keys (verify-credential decides the
 * status), src/server/exchanges/key-permissions.ts (what is read) and src/server/vault/credential-input.ts.
 */
import type { Guide, Section } from "~/server/help/guide-types";

type KeyExchange = {
  slug: string;
  name: "Binance" | "Bybit";
  where: string;
  create: string[];
  permissions: string[];
  ipStep: string;
  format: string;
  environments: string[];
};

const BINANCE: KeyExchange = {
  slug: "connect-binance",
  name: "Binance",
  where: "https://www.binance.com/en/my/settings/api-management",
  create: [
    "Sign in to Binance and open **API Management** (in your account's menu, or https://www.binance.com/en/my/settings/api-management).",
    "Create an API key. A **system-generated** (HMAC) key is simplest; Ed25519 and RSA keys work too.",
    "Name it so you recognise it later, e.g. `KeyRelay`, and pass Binance's security checks.",
    "Copy the **API key** and the **Secret key** now: Binance shows the secret only once. For an Ed25519 or RSA key, the secret KeyRelay needs is your PEM **private key** (the text starting `-----BEGIN PRIVATE KEY-----`).",
  ],
  permissions: [
    "**Enable Reading**: required. KeyRelay reads your balance and the key's own restrictions.",
    "**Enable Spot & Margin Trading**: for strategies on spot markets.",
    "**Enable Futures**: for strategies on perpetual (USDⓈ-M) markets.",
    "**Enable Withdrawals**: leave it **off**. A key that can withdraw is refused (status REJECTED).",
    "Everything else (universal transfer, margin loans, options...) stays off: KeyRelay never uses it.",
  ],
  ipStep: "Choose **Restrict access to trusted IPs only** and enter this server's IP addresses (below). Binance reports the setting as `ipRestrict`; KeyRelay reads it at every verification.",
  format: "A Binance HMAC API key and secret are each 64 letters and digits; paste them without spaces. KeyRelay checks this before it calls Binance.",
  environments: [
    "**Live**: your real Binance account.",
    "**Testnet**: a key made on Binance's test network (its own site and its own play-money balances; your real account's keys do not work there).",
    "**Demo trading**: a key made in Binance's demo-trading mode.",
  ],
};

const BYBIT: KeyExchange = {
  slug: "connect-bybit",
  name: "Bybit",
  where: "https://www.bybit.com/app/user/api-management",
  create: [
    "Sign in to Bybit, open your profile menu and choose **API** (API management, https://www.bybit.com/app/user/api-management).",
    "Create a new key and choose **system-generated** keys: KeyRelay takes Bybit's key and secret as letters and digits (self-generated RSA keys are not accepted for Bybit).",
    "Choose the **read-write** access type (a read-only key cannot trade) and name the key, e.g. `KeyRelay`.",
    "Copy the **API key** and the **secret**: Bybit shows the secret only once.",
  ],
  permissions: [
    "**Spot trading** (Bybit reports it as `Spot: SpotTrade`): for strategies on spot markets.",
    "**Contract (derivatives) orders and positions** (`ContractTrade: Order`): for strategies on perpetual (linear) markets.",
    "**Withdrawal** under the wallet permissions: leave it **unticked**. A key that can withdraw is refused (status REJECTED).",
    "Transfers, options, NFT, earn and the rest stay unticked: KeyRelay never uses them.",
  ],
  ipStep: "In the key's IP access setting, choose to allow only specific IP addresses and enter this server's IP addresses (below). Bybit lists them on the key (`ips`); a key bound to no IP shows `*`. Bybit makes keys without an IP restriction expire after 90 days.",
  format: "Bybit keys and secrets are letters and digits only; paste them without spaces.",
  environments: [
    "**Live**: your real Bybit account.",
    "**Testnet**: a key made on Bybit's testnet site (a separate account with play money).",
    "**Demo trading**: a key made in **Demo Trading** inside your Bybit account (play money, real prices).",
  ],
};

function keyGuide(x: KeyExchange): Guide {
  const sections: Section[] = [
    {
      heading: `Create the key on ${x.name}`,
      id: "create",
      blocks: [
        { kind: "p", text: `KeyRelay trades on **your own** ${x.name} account with a key you create; nobody else's key is ever used for you, and you can delete it at any time on ${x.name}.` },
        { kind: "steps", items: x.create },
      ],
    },
    {
      heading: "Permissions to tick",
      id: "permissions",
      blocks: [
        { kind: "list", items: x.permissions },
        {
          kind: "p",
          text: `When you save the key, KeyRelay asks ${x.name} what the key may do. The key becomes **ACTIVE** when it can read and trade (spot and/or futures) and cannot withdraw. It is **REJECTED**, with the reason, when withdrawals are enabled, when it cannot read the account, or when trading is off; fix the permission on ${x.name} and press **Verify**.`,
        },
        { kind: "note", text: "Withdrawals stay off. KeyRelay refuses any key that could move money out of your account, whatever else it allows." },
      ],
    },
    {
      heading: "Restrict the key to this server's IP addresses",
      id: "ip-restriction",
      blocks: [
        { kind: "p", text: `A key bound to KeyRelay's addresses is useless to anyone who copies it. ${x.ipStep}` },
        { kind: "egress-ips" },
        {
          kind: "p",
          text: "A key without an IP restriction still verifies, with a warning naming these addresses, unless the operator requires a restriction (`REQUIRE_KEY_IP_RESTRICTION`): then it is REJECTED until you add one. The Keys page shows each key as **IP-restricted** or **any IP**.",
        },
      ],
    },
    {
      heading: "Connect it in KeyRelay",
      id: "connect",
      blocks: [
        {
          kind: "steps",
          items: [
            `Sign in and open **Keys**. The ${x.name} card repeats the setup steps and this server's IP addresses.`,
            "Paste the **API key** and the **Secret key**.",
            "Pick the **Environment**: Live, Testnet or Demo trading (see below). Add a label if you like.",
            `Press **Save and verify ${x.name} key**. You may be asked for your password again first.`,
            "Read the result: **Key verified: ACTIVE**, or the status with what to change. The card then shows the key masked (first and last 4 characters), its permissions, the USDT balance read, its expiry if any, and the IP binding.",
          ],
        },
        { kind: "p", text: x.format },
        { kind: "screen", name: "keys-connected", alt: "The Keys page with a connected key: status ACTIVE, permissions, balance and IP binding" },
        {
          kind: "p",
          text: "The secret is stored encrypted and never shown again, not even to you. KeyRelay verifies every ACTIVE key again every few hours and notifies you before it expires; a key the exchange refuses (deleted, wrong, IP-blocked) is **DISABLED** and you are notified. Every attempt is kept under **Keys → Verification history**.",
        },
        { kind: "p", text: "Something went wrong? Each error on the Keys card links to its entry in [Troubleshooting](/help/troubleshooting)." },
      ],
    },
    {
      heading: "Testnet and demo keys",
      id: "testnet-demo",
      blocks: [
        { kind: "p", text: "The **Environment** you choose when saving a key says where its orders go. A key works only in the environment it was made in:" },
        { kind: "list", items: x.environments },
        {
          kind: "p",
          text: "You can keep one key per exchange and environment. A subscription trades with the key you pick for it on **Signals**; in Personal (live) mode, a testnet or demo key places its orders on the exchange's testnet or demo with play money, and the go-live confirmation names each key's environment. To try KeyRelay without any key at all, use Paper mode: see [Paper before live](/help/paper-before-live).",
        },
      ],
    },
  ];
  return {
    slug: x.slug,
    title: `Connect a ${x.name} key`,
    summary: `Create a ${x.name} API key that can trade but never withdraw, bind it to this server's IP addresses, and connect it on the Keys page (live, testnet or demo).`,
    sections,
  };
}

export const CONNECT_BINANCE = keyGuide(BINANCE);
export const CONNECT_BYBIT = keyGuide(BYBIT);
