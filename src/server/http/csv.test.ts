import { describe, expect, it } from "vitest";
import { csvCell, csvLine, csvResponse } from "~/server/http/csv";

describe("csvCell", () => {
  it("quotes every cell and doubles quotes", () => {
    expect(csvCell('say "hi", ok')).toBe('"say ""hi"", ok"');
    expect(csvCell(null)).toBe("");
    expect(csvCell(new Date("2026-01-02T03:04:05.000Z"))).toBe('"2026-01-02T03:04:05.000Z"');
  });

  it("neutralises what a spreadsheet would run as a formula", () => {
    for (const s of ["=1+2", "+cmd", "-1+2", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("http://x")', "-"]) expect(csvCell(s).startsWith(`"'`), s).toBe(true);
  });

  it("leaves plain numbers, negative ones included, as numbers", () => {
    expect(csvCell("-12.5")).toBe('"-12.5"');
    expect(csvCell("-0.390625")).toBe('"-0.390625"');
    expect(csvCell("37.64")).toBe('"37.64"');
  });

  it("joins a line", () => {
    expect(csvLine(["a", null, "-1"])).toBe('"a",,"-1"\n');
  });
});

describe("csvResponse", () => {
  it("streams the chunks as a download", async () => {
    async function* gen() {
      yield "a,b\n";
      yield '"1","2"\n';
    }
    const res = csvResponse(gen(), "trades 2026.csv");
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toBe('attachment; filename="trades_2026.csv"');
    expect(await res.text()).toBe('a,b\n"1","2"\n');
  });
});
