// Cost of sealing and opening one API secret: the keyring design (key derived once, KeyObject cached)
// beside a PBKDF2-per-call design (600k iterations on every seal and open), in the same run; and the
// one derivation a passphrase costs at start-up beside a keyring from a hex key (moved here from
// keyring.test.ts: "a real KDF, not a bare hash").
// Run: npx tsx bench/vault.ts   (always exits 0; PASS/FAIL are for reading, not for CI)

import { createCipheriv, createDecipheriv, pbkdf2Sync, randomBytes } from "node:crypto";
import { tmpdir } from "node:os";

import { createKeyring, keyringFromEnv, PBKDF2_ITERATIONS } from "~/server/vault/keyring";
import { encodeAad, open, seal, type SecretAad } from "~/server/vault/secret-box";

import { formatTable, machine, median, printResult, summarize, timeSync, type Summary } from "./harness";

const FAST_CALLS = 20_000;
const FAST_WARMUP = 2_000;
const KDF_CALLS = 20;
const OPEN_TARGET_MICROS = 50;

const secret = "Zx9".repeat(21) + "Q"; // 64 characters, like a Binance HMAC secret
const aad: SecretAad = { userId: "clx0user0000000000000000", exchange: "BINANCE", environment: "LIVE", apiKey: "K".repeat(64) };

// --- keyring design: the real code -----------------------------------------------------------------
const keyring = createKeyring({ primary: randomBytes(32) });
const sealed = seal(keyring, secret, aad);
const fastSeal = summarize(timeSync(() => seal(keyring, secret, aad), { calls: FAST_CALLS, warmup: FAST_WARMUP }));
const fastOpen = summarize(timeSync(() => open(keyring, sealed, aad), { calls: FAST_CALLS, warmup: FAST_WARMUP }));

// --- PBKDF2-per-call design: same cipher, but the key is derived from a passphrase on every call ----
const passphrase = "correct horse battery staple";
const aadBytes = encodeAad(aad);
function kdfSeal(plaintext: string) {
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", pbkdf2Sync(passphrase, salt, PBKDF2_ITERATIONS, 32, "sha256"), iv);
  cipher.setAAD(aadBytes);
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return { salt, iv, ciphertext, tag: cipher.getAuthTag() };
}
function kdfOpen(box: ReturnType<typeof kdfSeal>): string {
  const decipher = createDecipheriv("aes-256-gcm", pbkdf2Sync(passphrase, box.salt, PBKDF2_ITERATIONS, 32, "sha256"), box.iv);
  decipher.setAAD(aadBytes);
  decipher.setAuthTag(box.tag);
  return Buffer.concat([decipher.update(box.ciphertext), decipher.final()]).toString("utf8");
}
const kdfBox = kdfSeal(secret);
if (kdfOpen(kdfBox) !== secret) throw new Error("PBKDF2 baseline does not round-trip");
const slowSeal = summarize(timeSync(() => kdfSeal(secret), { calls: KDF_CALLS, warmup: 1 }));
const slowOpen = summarize(timeSync(() => kdfOpen(kdfBox), { calls: KDF_CALLS, warmup: 1 }));

// --- start-up: a keyring from ENCRYPTION_PASSPHRASE + ENCRYPTION_SALT vs one from ENCRYPTION_KEY ---
const startOptions = { dataDir: tmpdir(), warn: () => undefined };
const passphraseEnv = { NODE_ENV: "production", ENCRYPTION_PASSPHRASE: passphrase, ENCRYPTION_SALT: "0123456789abcdef0123" };
const hexEnv = { NODE_ENV: "production", ENCRYPTION_KEY: randomBytes(32).toString("hex") };
const passphraseStartUs = median(timeSync(() => keyringFromEnv(passphraseEnv, startOptions), { calls: 5, warmup: 1 }));
const hexStartUs = median(timeSync(() => keyringFromEnv(hexEnv, startOptions), { calls: 2_000, warmup: 200 }));

// --- report -----------------------------------------------------------------------------------------
const fmt = (micros: number) => (micros >= 10_000 ? `${(micros / 1_000).toFixed(1)} ms` : `${micros.toFixed(1)} µs`);
const rows: [string, string, Summary][] = [
  ["keyring (cached KeyObject)", "seal", fastSeal],
  ["keyring (cached KeyObject)", "open", fastOpen],
  [`PBKDF2 per call (${PBKDF2_ITERATIONS.toLocaleString("en")} it.)`, "seal", slowSeal],
  [`PBKDF2 per call (${PBKDF2_ITERATIONS.toLocaleString("en")} it.)`, "open", slowOpen],
];
console.log(`vault bench — ${machine()}\n`);
const table = rows.map(([design, op, s]) => [design, op, s.n.toLocaleString("en"), fmt(s.median), fmt(s.p99), fmt(s.mean)]);
for (const line of formatTable(["design", "op", "calls", "median", "p99", "mean"], table, (col) => col >= 2)) console.log(line);
console.log();
console.log(`ratio (median, PBKDF2 per call / keyring): seal ${Math.round(slowSeal.median / fastSeal.median).toLocaleString("en")}x, open ${Math.round(slowOpen.median / fastOpen.median).toLocaleString("en")}x`);
const pass = fastOpen.median <= OPEN_TARGET_MICROS;
console.log(
  `target open <= ${OPEN_TARGET_MICROS} µs (median): ${pass ? "PASS" : "FAIL"} (median ${fmt(fastOpen.median)}, p99 ${fmt(fastOpen.p99)}` +
    `${fastOpen.p99 <= OPEN_TARGET_MICROS ? ", p99 within target too" : ", p99 above target"})`,
);
console.log(`start-up keyring (median): passphrase ${fmt(passphraseStartUs)}, hex key ${fmt(hexStartUs)}, ratio ${Math.round(passphraseStartUs / hexStartUs).toLocaleString("en")}x\n`);
printResult("vault.open_median_us", fastOpen.median, { digits: 1, op: "<=", target: OPEN_TARGET_MICROS });
printResult("vault.seal_median_us", fastSeal.median, { digits: 1 });
printResult("vault.pbkdf2_per_call_vs_keyring_open", Math.round(slowOpen.median / fastOpen.median), { op: ">", target: 1 });
// a real KDF at start-up, not a bare hash (was keyring.test.ts: elapsed > 5 ms)
printResult("vault.passphrase_start_ms", passphraseStartUs / 1_000, { digits: 1, op: ">", target: 5 });
printResult("vault.passphrase_vs_hex_key_start", Math.round(passphraseStartUs / hexStartUs), { op: ">=", target: 100 });
