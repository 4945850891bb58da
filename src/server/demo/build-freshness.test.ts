import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { newestMtime, staleBuildReason } from "./build-freshness";

let root: string;
const touch = (rel: string, at: number) => {
  const p = path.join(root, rel);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  if (!fs.existsSync(p)) fs.writeFileSync(p, "x");
  fs.utimesSync(p, at / 1000, at / 1000);
};
const T = Date.parse("2026-01-01T00:00:00Z");

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "build-freshness-"));
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

describe("staleBuildReason", () => {
  it("asks for a build when there is none", () => {
    touch("src/app/page.tsx", T);
    expect(staleBuildReason(root, ["src"])).toBe("no build yet");
  });

  it("is current when the build is newer than every input", () => {
    touch("src/app/page.tsx", T);
    touch("package.json", T);
    fs.utimesSync(path.join(root, "src/app"), T / 1000, T / 1000);
    fs.utimesSync(path.join(root, "src"), T / 1000, T / 1000);
    touch(".next/BUILD_ID", T + 60_000);
    expect(staleBuildReason(root, ["src", "package.json", "missing.config.ts"])).toBeNull();
  });

  it("names the input that changed after the build, however deep", () => {
    touch("src/a/b/c.ts", T);
    for (const d of ["src/a/b", "src/a", "src"]) fs.utimesSync(path.join(root, d), T / 1000, T / 1000);
    touch("package.json", T);
    touch(".next/BUILD_ID", T + 60_000);
    touch("src/a/b/c.ts", T + 120_000);
    expect(staleBuildReason(root, ["package.json", "src"])).toBe("src changed since the last build");
  });

  it("reads a missing path as never changed", () => {
    expect(newestMtime(path.join(root, "nope"))).toBe(0);
  });
});
