/**
 * Readable log lines for `npm run dev`: "16:05:09.123 INFO  engine  order sent executionId=x1 ms=12".
 * It formats the JSON line the logger already redacted (secrets are [REDACTED] before this sees them);
 * production keeps the JSON line as it is.
 */
const LEVELS: Record<number, { name: string; color: string }> = {
  10: { name: "TRACE", color: "\x1b[90m" },
  20: { name: "DEBUG", color: "\x1b[36m" },
  30: { name: "INFO", color: "\x1b[32m" },
  40: { name: "WARN", color: "\x1b[33m" },
  50: { name: "ERROR", color: "\x1b[31m" },
  60: { name: "FATAL", color: "\x1b[35m" },
};
const RESET = "\x1b[0m";
const DIM = "\x1b[2m";
const OMIT = new Set(["level", "time", "msg", "pid", "hostname", "v", "module", "err"]);

function value(v: unknown): string {
  if (typeof v === "string") return /[\s"=]/.test(v) || v === "" ? JSON.stringify(v) : v;
  return JSON.stringify(v) ?? String(v);
}

function clock(t: unknown): string {
  const d = new Date(typeof t === "number" || typeof t === "string" ? t : Date.now());
  return Number.isNaN(d.getTime()) ? "--:--:--.---" : d.toISOString().slice(11, 23);
}

/** One JSON log line as one readable line (plus an error's stack, indented); a line that is not JSON is returned unchanged. */
export function prettyLine(line: string, opts: { color?: boolean } = {}): string {
  let rec: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(line);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return line;
    rec = parsed as Record<string, unknown>;
  } catch {
    return line;
  }
  const level = LEVELS[Number(rec.level)] ?? { name: String(rec.level ?? "LOG").toUpperCase(), color: "" };
  const c = (code: string, s: string) => (opts.color && code ? `${code}${s}${RESET}` : s);
  const parts = [c(DIM, clock(rec.time)), c(level.color, level.name.padEnd(5))];
  if (typeof rec.module === "string") parts.push(c(DIM, `[${rec.module}]`));
  if (rec.msg !== undefined) parts.push(String(rec.msg));
  for (const [k, v] of Object.entries(rec)) if (!OMIT.has(k) && v !== undefined) parts.push(`${c(DIM, `${k}=`)}${value(v)}`);
  let out = parts.join(" ");
  const err = rec.err as { type?: string; message?: string; stack?: string } | undefined;
  if (err && typeof err === "object") {
    out += ` ${c(DIM, "err=")}${err.type ?? "Error"}: ${err.message ?? ""}`;
    if (err.stack) out += `\n${err.stack.split("\n").slice(1).map((l) => `    ${l.trim()}`).join("\n")}`;
  }
  return `${out}\n`;
}
