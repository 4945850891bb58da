// Cost of sealing and opening one API secret: the keyring design (key derived once, KeyObject cached)
// beside a PBKDF2-per-call design (600k iterations on every seal and open), in the same run.
// Run: npx tsx bench/vault.ts   (always exits 0; the PASS/FAIL line is for reading, not for CI)

import { createCipheriv, createDecipheriv, pbkdf2Sync, randomBytes } from "node:crypto";
import { cpus } from "node:os";

import { createKeyring, PBKDF2_ITERATIONS } from "~/server/vault/keyring";
import { encodeAad, open, seal, type SecretAad } from "~/server/vault/secret-box";

const FAST_CALLS = 20_000;
const FAST_WARMUP = 2_000;
const KDF_CALLS = 20;
const OPEN_TARGET_MICROS = 50;

const secret = "Zx9".repeat(21) + "Q"; // 64 characters, like a Binance HMAC secret
const aad: SecretAad = { userId: "clx0user0000000000000000", exchange: "BINANCE", environment: "LIVE", apiKey: "K".repeat(64) };

type Stats = { calls: number; median: number; p99: number; mean: number };

function measure(calls: number, warmup: number, fn: () => unknown): Stats {
  for (let i = 0; i < warmup; i++) fn();
  const micros = new Float64Array(calls);
  for (let i = 0; i < calls; i++) {
    const start = process.hrtime.bigint();
    fn();
    micros[i] = Number(process.hrtime.bigint() - start) / 1_000;
  }
  micros.sort();
  const at = (q: number) => micros[Math.min(calls - 1, Math.floor(q * calls))] ?? NaN;
  return { calls, median: at(0.5), p99: at(0.99), mean: micros.reduce((a, b) => a + b, 0) / calls };
}

// --- keyring design: the real code -----------------------------------------------------------------
const keyring = createKeyring({ primary: randomBytes(32) });
const sealed = seal(keyring, secret, aad);
const fastSeal = measure(FAST_CALLS, FAST_WARMUP, () => seal(keyring, secret, aad));
const fastOpen = measure(FAST_CALLS, FAST_WARMUP, () => open(keyring, sealed, aad));

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
const slowSeal = measure(KDF_CALLS, 1, () => kdfSeal(secret));
const slowOpen = measure(KDF_CALLS, 1, () => kdfOpen(kdfBox));

// --- report -----------------------------------------------------------------------------------------
const fmt = (micros: number) => (micros >= 10_000 ? `${(micros / 1_000).toFixed(1)} ms` : `${micros.toFixed(1)} µs`);
const rows: [string, string, Stats][] = [
  ["keyring (cached KeyObject)", "seal", fastSeal],
  ["keyring (cached KeyObject)", "open", fastOpen],
  [`PBKDF2 per call (${PBKDF2_ITERATIONS.toLocaleString("en")} it.)`, "seal", slowSeal],
  [`PBKDF2 per call (${PBKDF2_ITERATIONS.toLocaleString("en")} it.)`, "open", slowOpen],
];
const header = ["design", "op", "calls", "median", "p99", "mean"];
const table = [header, ...rows.map(([design, op, s]) => [design, op, s.calls.toLocaleString("en"), fmt(s.median), fmt(s.p99), fmt(s.mean)])];
const widths = header.map((_, col) => Math.max(...table.map((row) => (row[col] ?? "").length)));
const line = (row: string[]) => row.map((cell, col) => (col < 2 ? cell.padEnd(widths[col] ?? 0) : cell.padStart(widths[col] ?? 0))).join("  ");

console.log(`vault bench — node ${process.version}, ${cpus()[0]?.model ?? "unknown cpu"} x${cpus().length}\n`);
console.log(line(table[0] ?? []));
console.log(widths.map((w) => "-".repeat(w)).join("  "));
for (const row of table.slice(1)) console.log(line(row));
console.log();
console.log(`ratio (median, PBKDF2 per call / keyring): seal ${Math.round(slowSeal.median / fastSeal.median).toLocaleString("en")}x, open ${Math.round(slowOpen.median / fastOpen.median).toLocaleString("en")}x`);
const pass = fastOpen.median <= OPEN_TARGET_MICROS;
console.log(
  `target open <= ${OPEN_TARGET_MICROS} µs (median): ${pass ? "PASS" : "FAIL"} (median ${fmt(fastOpen.median)}, p99 ${fmt(fastOpen.p99)}` +
    `${fastOpen.p99 <= OPEN_TARGET_MICROS ? ", p99 within target too" : ", p99 above target"})`,
);
console.log(`RESULT vault.open_median_us=${fastOpen.median.toFixed(1)} target<=${OPEN_TARGET_MICROS}`);
console.log(`RESULT vault.seal_median_us=${fastSeal.median.toFixed(1)}`);
console.log(`RESULT vault.pbkdf2_per_call_vs_keyring_open=${Math.round(slowOpen.median / fastOpen.median)} target>1`);
