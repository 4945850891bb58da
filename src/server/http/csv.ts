/**
 * CSV exports: one cell, quoted, safe to open in a spreadsheet, and a streamed download response.
 * Pure web APIs (Response, ReadableStream), so route handlers and tests share it.
 */

const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/;

/**
 * Always quoted. A cell a spreadsheet would run as a formula (=, +, -, @, tab, CR first) gets a
 * leading apostrophe (CSV injection); a plain number such as -12.5 stays a number, since a
 * negative PnL is data, not a formula.
 */
export function csvCell(v: unknown): string {
  if (v === null || v === undefined) return "";
  const s = v instanceof Date ? v.toISOString() : typeof v === "object" ? JSON.stringify(v) : String(v);
  const safe = /^[=+\-@\t\r]/.test(s) && !PLAIN_NUMBER.test(s) ? `'${s}` : s;
  return `"${safe.replace(/"/g, '""')}"`;
}

export const csvLine = (cells: unknown[]) => `${cells.map(csvCell).join(",")}\n`;

/** Streams the generator's chunks as a CSV download; a client that goes away stops the reading. */
export function csvResponse(gen: AsyncGenerator<string>, filename: string): Response {
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await gen.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
    async cancel() {
      await gen.return(undefined);
    },
  });
  return new Response(stream, {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="${filename.replace(/[^A-Za-z0-9._-]/g, "_")}"`,
      "cache-control": "no-store",
    },
  });
}
