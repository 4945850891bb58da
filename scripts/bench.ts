/**
 * `npm run bench`: runs every bench/ script and prints one table: figure, value, target, ratio
 * to target. Each script prints `RESULT <figure>=<value> [target<op><number>]` lines
 * (bench/harness.ts writes and reads them). `npm run bench -- audit vault` runs only those.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import { formatTable, meetsTarget, parseResultLine } from "../bench/harness";

const NOT_BENCHES = new Set(["harness", "webhook-servers"]); // shared code, not scripts
const only = process.argv.slice(2).filter((a) => !a.startsWith("-"));
const scripts = fs
  .readdirSync("bench")
  .filter((f) => f.endsWith(".ts"))
  .filter((f) => !NOT_BENCHES.has(f.replace(/\.ts$/, "")))
  .map((f) => f.replace(/\.ts$/, ""))
  .filter((name) => only.length === 0 || only.includes(name))
  .sort();

interface Row {
  figure: string;
  value: number;
  target: string;
  ratio: string;
  verdict: string;
}
const rows: Row[] = [];
const failures: string[] = [];

for (const name of scripts) {
  const started = Date.now();
  process.stderr.write(`bench/${name}.ts ... `);
  const r = spawnSync("npx", ["tsx", `bench/${name}.ts`], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024, env: { ...process.env, LOG_LEVEL: "error" } });
  process.stderr.write(`${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  if (r.status !== 0) failures.push(`bench/${name}.ts exited ${r.status}: ${(r.stderr || "").trim().split("\n").slice(-3).join(" | ")}`);
  for (const line of (r.stdout ?? "").split("\n")) {
    const parsed = parseResultLine(line);
    if (!parsed) continue;
    const { figure, value, op, target } = parsed;
    let ratio = "";
    let verdict = "";
    if (op && target !== undefined) {
      // Ratio > 1 means better than the target, whichever direction the target points.
      const better = op.startsWith("<") ? target / value : op.startsWith(">") ? value / target : value === target ? 1 : 0;
      ratio = Number.isFinite(better) ? `${better.toFixed(2)}x` : "∞";
      verdict = meetsTarget(value, op, target) ? "PASS" : "FAIL";
    }
    rows.push({ figure, value, target: op ? `${op} ${target}` : "", ratio, verdict });
  }
}

console.log();
for (const line of formatTable(["figure", "value", "target", "ratio to target", ""], rows.map((r) => [r.figure, String(r.value), r.target, r.ratio, r.verdict]), (col) => col > 0)) console.log(line);
for (const f of failures) console.log(`\n${f}`);
const failed = rows.filter((r) => r.verdict === "FAIL").length;
console.log(`\n${rows.length} figures from ${scripts.length} scripts; ${failed} below target.`);
