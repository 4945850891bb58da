/**
 * `npm run bench`: runs every bench/ script and prints one table: figure, value, target, ratio
 * to target. Each script prints `RESULT <figure>=<value> [target<op><number>]` lines.
 * `npm run bench -- audit vault` runs only those.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";

const only = process.argv.slice(2).filter((a) => !a.startsWith("-"));
const scripts = fs
  .readdirSync("bench")
  .filter((f) => f.endsWith(".ts"))
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
    const m = /^RESULT\s+(\S+)=(-?[\d.]+)(?:\s+target(<=|>=|<|>|=)(-?[\d.]+))?/.exec(line.trim());
    if (!m) continue;
    const [, figure, v, op, t] = m;
    const value = Number(v);
    let ratio = "";
    let verdict = "";
    if (op && t !== undefined) {
      const target = Number(t);
      // Ratio > 1 means better than the target, whichever direction the target points.
      const better = op.startsWith("<") ? target / value : op.startsWith(">") ? value / target : value === target ? 1 : 0;
      ratio = Number.isFinite(better) ? `${better.toFixed(2)}x` : "∞";
      const pass = op === "<" ? value < target : op === "<=" ? value <= target : op === ">" ? value > target : op === ">=" ? value >= target : value === target;
      verdict = pass ? "PASS" : "FAIL";
    }
    rows.push({ figure: figure!, value, target: op ? `${op} ${t}` : "", ratio, verdict });
  }
}

const header = ["figure", "value", "target", "ratio to target", ""];
const table = [header, ...rows.map((r) => [r.figure, String(r.value), r.target, r.ratio, r.verdict])];
const widths = header.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
console.log();
for (const [i, row] of table.entries()) {
  console.log(row.map((c, j) => (j === 0 ? c.padEnd(widths[j]!) : c.padStart(widths[j]!))).join("  "));
  if (i === 0) console.log(widths.map((w) => "-".repeat(w)).join("  "));
}
for (const f of failures) console.log(`\n${f}`);
const failed = rows.filter((r) => r.verdict === "FAIL").length;
console.log(`\n${rows.length} figures from ${scripts.length} scripts; ${failed} below target.`);
