import { describe, expect, it } from "vitest";
import { createLogger, REDACTED } from "~/server/logger";
import { prettyLine } from "~/server/log-pretty";

describe("prettyLine (dev log lines)", () => {
  it("shows time, level, module, message and fields on one line", () => {
    const line = JSON.stringify({ level: 30, time: Date.parse("2026-12-02T16:05:09.123Z"), pid: 1, hostname: "h", module: "engine", msg: "order sent", executionId: "x1", ms: 12 });
    expect(prettyLine(line)).toBe("16:05:09.123 INFO  [engine] order sent executionId=x1 ms=12\n");
  });

  it("quotes values with spaces and writes objects as JSON", () => {
    const line = JSON.stringify({ level: 40, time: 0, msg: "slow", reason: "two words", detail: { a: 1 } });
    expect(prettyLine(line)).toBe('00:00:00.000 WARN  slow reason="two words" detail={"a":1}\n');
  });

  it("puts an error's type, message and stack under the line", () => {
    const line = JSON.stringify({ level: 50, time: 0, msg: "failed", err: { type: "AppError", message: "boom", stack: "AppError: boom\n    at f (a.ts:1:1)" } });
    expect(prettyLine(line)).toBe("00:00:00.000 ERROR failed err=AppError: boom\n    at f (a.ts:1:1)\n");
  });

  it("colours the level only when asked", () => {
    const line = JSON.stringify({ level: 50, time: 0, msg: "x" });
    expect(prettyLine(line, { color: true })).toContain("\x1b[31mERROR");
    expect(prettyLine(line)).not.toContain("\x1b[");
  });

  it("leaves a line that is not a JSON object as it is", () => {
    expect(prettyLine("plain text\n")).toBe("plain text\n");
    expect(prettyLine("[1,2]")).toBe("[1,2]");
  });

  it("keeps the logger's redaction: a secret logged through the logger never reaches the readable line", () => {
    const lines: string[] = [];
    const log = createLogger({ write: (l: string) => void lines.push(prettyLine(l)) }, { level: "info" });
    log.info({ apiSecret: "SECRET-do-not-show", user: "u1" }, "saved");
    expect(lines.join("")).toContain(`apiSecret=${REDACTED}`);
    expect(lines.join("")).not.toContain("SECRET-do-not-show");
  });
});
