// The signal path's own costs, each beside a baseline measured in the same run (moved here from
// webhook-payload.test.ts and model-hook.test.ts, where wall-clock bounds failed on a loaded machine):
//   parse    parseWebhookPayload on a typical TradingView alert, beside JSON.parse of the same body
//   hostile  five hostile bodies at 60 KB and at 6 KB: the slowest 60 KB parse, and how the time grows
//            with a 10x bigger body (linear: ~10x; regex backtracking: ~100x or worse); the same for
//            parseDecimal on hostile text (from money/decimal.test.ts)
//   numbers  a 64 KB body of 3,000 long JSON numbers, each re-read as an exact decimal, beside JSON.parse
//   model    the model hook with a 150 ms timeout against an endpoint that answers after 2 s, beside
//            a bare 150 ms timer
// Run: npx tsx bench/signals.ts   (no database, no child process; exits 0; asserts nothing)
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { loadavg } from "node:os";

import { parseDecimal } from "~/server/money/decimal";
import { askModelHook } from "~/server/signals/model-hook";
import { parseWebhookPayload } from "~/server/signals/webhook-payload";

import { formatTable, loadNote, machine, median, printResult, sleep, timeAsync, timeSync } from "./harness";

const PARSE_TARGET_US = 50;
const HOSTILE_TARGET_MS = 100;
const HOOK_TIMEOUT_MS = 150;
const loadBefore = loadavg()[0]!;
console.log(`signals bench — ${machine()}\n`);

// ---- parse: a typical alert -----------------------------------------------------------------------
const typical = JSON.stringify({
  ticker: "BTCUSDT.P", action: "buy", quantity: "0.015", quantityType: "contracts", price: "64250.5", marketPosition: "long",
  timestamp: "2026-11-24T23:00:00Z", maxLagSeconds: 60, id: "BTCUSDT.P-Long-2026-11-24T23:00:00Z",
});
if (!parseWebhookPayload({ contentType: "application/json", body: typical }).ok) throw new Error("the typical alert must parse");
const parseUs = median(timeSync(() => parseWebhookPayload({ contentType: "application/json", body: typical }), { calls: 20_000, warmup: 2_000 }));
const jsonUs = median(timeSync(() => JSON.parse(typical), { calls: 20_000, warmup: 2_000 }));
console.log(`typical alert: parseWebhookPayload ${parseUs.toFixed(2)} µs, JSON.parse of the same body ${jsonUs.toFixed(2)} µs (medians of 20,000)`);

// ---- hostile bodies: cost at 60 KB, and growth from 6 KB to 60 KB ----------------------------------
const minimal = { ticker: "BTCUSDT", action: "buy" };
const hostile: [string, (size: number) => string][] = [
  ["qty: digits then x", (n) => JSON.stringify({ ...minimal, qty: `${"1".repeat(n)}x` })],
  ["timestamp: digits then x", (n) => JSON.stringify({ ...minimal, timestamp: `${"1".repeat(n)}x` })],
  ["price: digits.digits then x", (n) => JSON.stringify({ ...minimal, price: `${"1".repeat(n / 2)}.${"1".repeat(n / 2)}x` })],
  ["key=value note, unterminated quote", (n) => `ticker=BTCUSDT\naction=buy\nnote="${"a".repeat(n)}`],
  ["price: {{a repeated", (n) => JSON.stringify({ ...minimal, price: "{{a".repeat(n / 3) })],
];
const parseMs = (body: string, runs: number) => median(timeSync(() => parseWebhookPayload({ contentType: "text/plain", body }), { calls: runs, warmup: 2 })) / 1_000;
const hostileRows = hostile.map(([name, make]) => {
  const big = parseMs(make(60_000), 15);
  const small = parseMs(make(6_000), 150);
  return { name, big, small, growth: big / small };
});
console.log();
for (const line of formatTable(["hostile body", "6 KB ms", "60 KB ms", "growth"], hostileRows.map((r) => [r.name, r.small.toFixed(3), r.big.toFixed(3), `${r.growth.toFixed(1)}x`]), (col) => col > 0)) console.log(line);
const slowest = Math.max(...hostileRows.map((r) => r.big));
const steepest = Math.max(...hostileRows.map((r) => r.growth));

// parseDecimal on hostile text: all three inputs per sample
const hostileDecimals = (n: number) => ["1".repeat(n) + "x", `${"1".repeat(n / 2)}.${"1".repeat(n / 2)}x`, "1e-999999999"];
const decimalMs = (texts: string[], runs: number) => median(timeSync(() => texts.forEach((t) => parseDecimal(t)), { calls: runs, warmup: 2 })) / 1_000;
const decimalBig = decimalMs(hostileDecimals(60_000), 30);
const decimalSmall = decimalMs(hostileDecimals(6_000), 300);
console.log(`parseDecimal, 3 hostile texts: ${decimalSmall.toFixed(3)} ms at 6 KB, ${decimalBig.toFixed(3)} ms at 60 KB (${(decimalBig / decimalSmall).toFixed(1)}x)`);

// ---- numbers: 3,000 long JSON numbers re-read exactly ----------------------------------------------
const numbers = Array.from({ length: 3000 }, (_, i) => `0.1234567890123456${String(i).padStart(4, "0")}`);
const numbersBody = `{"ticker":"BTCUSDT","action":"buy","qty":${numbers[0]},"x":[${numbers.join(",")}]}`;
if (!parseWebhookPayload({ contentType: "application/json", body: numbersBody }).ok) throw new Error("the long-numbers body must parse");
const numbersMs = median(timeSync(() => parseWebhookPayload({ contentType: "application/json", body: numbersBody }), { calls: 50, warmup: 5 })) / 1_000;
const numbersJsonMs = median(timeSync(() => JSON.parse(numbersBody), { calls: 50, warmup: 5 })) / 1_000;
console.log(`${(numbersBody.length / 1024).toFixed(0)} KB body of 3,000 long numbers: parseWebhookPayload ${numbersMs.toFixed(2)} ms, JSON.parse ${numbersJsonMs.toFixed(2)} ms`);

// ---- model hook: answered at its timeout, not when the slow endpoint answers ------------------------
const alertResult = parseWebhookPayload({ contentType: "application/json", body: JSON.stringify({ ticker: "BTCUSDT", action: "buy" }) });
if (!alertResult.ok) throw new Error("fixture alert must parse");
const server = createServer((req, res) => {
  req.resume();
  req.on("end", () => void setTimeout(() => res.end('{"choices":[{"message":{"content":"{\\"decision\\":\\"approve\\"}"}}]}'), 2_000));
});
await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/chat/completions`;
const sources = new Set<string>();
const hookMs = await timeAsync(
  async () => sources.add((await askModelHook({ url, timeoutMs: HOOK_TIMEOUT_MS, failMode: "open" }, { alert: alertResult.alert, rules: { approved: true, symbol: "BTC/USDT", reasons: [] } })).source),
  { runs: 10, warmup: 1 },
);
const timerMs = await timeAsync(() => sleep(HOOK_TIMEOUT_MS), { runs: 10 });
server.closeAllConnections();
server.close();
if ([...sources].join() !== "fail-open") throw new Error(`the hook should have failed open on its timeout every time, got ${[...sources].join(", ")}`);
console.log(`\nmodel hook, ${HOOK_TIMEOUT_MS} ms timeout, endpoint answering after 2 s: median ${median(hookMs).toFixed(1)} ms; a bare ${HOOK_TIMEOUT_MS} ms timer: ${median(timerMs).toFixed(1)} ms`);
const note = loadNote(loadBefore);
if (note) console.log(note);
console.log();

printResult("signals.parse_typical_us", parseUs, { digits: 2, op: "<=", target: PARSE_TARGET_US });
printResult("signals.parse_typical_vs_json_parse", parseUs / jsonUs, { digits: 1 });
printResult("signals.hostile_parse_max_ms", slowest, { digits: 2, op: "<", target: HOSTILE_TARGET_MS });
printResult("signals.hostile_growth_60k_vs_6k", steepest, { digits: 1, op: "<=", target: 20 });
printResult("signals.decimal_hostile_ms", decimalBig, { digits: 3, op: "<", target: 50 });
printResult("signals.decimal_hostile_growth_60k_vs_6k", decimalBig / decimalSmall, { digits: 1, op: "<=", target: 20 });
printResult("signals.long_numbers_64k_ms", numbersMs, { digits: 2, op: "<", target: 100 });
printResult("signals.long_numbers_64k_vs_json_parse", numbersMs / numbersJsonMs, { digits: 1 });
printResult("signals.model_hook_timeout_ms", median(hookMs), { digits: 1, op: "<", target: 1_000 });
printResult("signals.model_hook_timeout_vs_bare_timer", median(hookMs) / median(timerMs), { digits: 2, op: "<=", target: 1.5 });
