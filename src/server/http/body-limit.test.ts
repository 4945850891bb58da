import { describe, expect, it } from "vitest";
import { bodyTooLarge, MAX_BODY_BYTES, readBodyText } from "~/server/http/body-limit";

describe("bodyTooLarge", () => {
  it("refuses only above 64 KB, naming what was too large", () => {
    expect(MAX_BODY_BYTES).toBe(64 * 1024);
    expect(bodyTooLarge(MAX_BODY_BYTES)).toBeNull();
    expect(bodyTooLarge(MAX_BODY_BYTES + 1)).toBe("The body is larger than 64 KB.");
    expect(bodyTooLarge(MAX_BODY_BYTES + 1, "alert")).toBe("The alert is larger than 64 KB.");
  });

  it("takes a Content-Length header as it comes; a missing or unparsable one is left to the byte count", () => {
    expect(bodyTooLarge("70000")).not.toBeNull();
    expect(bodyTooLarge("100")).toBeNull();
    expect(bodyTooLarge(null)).toBeNull();
    expect(bodyTooLarge("not a number")).toBeNull();
  });
});

/** A request whose body is produced only as it is read: `pulled()` says how many bytes were asked for. */
function streamingRequest(total: number, headers: Record<string, string> = {}, chunk = 16 * 1024) {
  let produced = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (produced >= total) return controller.close();
      produced += chunk;
      controller.enqueue(new Uint8Array(chunk).fill(0x61));
    },
  }, { highWaterMark: 0 });
  const req = new Request("http://localhost/x", { method: "POST", body, headers, duplex: "half" } as RequestInit);
  return { req, pulled: () => produced };
}

describe("readBodyText", () => {
  it("stops a 150 MB streamed body at the limit: PAYLOAD_TOO_LARGE after reading barely more than 64 KB", async () => {
    const { req, pulled } = streamingRequest(150 * 1024 * 1024);
    await expect(readBodyText(req)).rejects.toMatchObject({ code: "PAYLOAD_TOO_LARGE", message: "The body is larger than 64 KB." });
    expect(pulled()).toBeLessThan(MAX_BODY_BYTES + 64 * 1024);
  });

  it("refuses a declared Content-Length over the limit without reading, and reads a body within it whole", async () => {
    const { req: declared, pulled } = streamingRequest(1024, { "content-length": String(MAX_BODY_BYTES + 1) });
    await expect(readBodyText(declared, "alert")).rejects.toMatchObject({ code: "PAYLOAD_TOO_LARGE", message: "The alert is larger than 64 KB." });
    expect(pulled()).toBe(0);
    const text = "é".repeat(MAX_BODY_BYTES / 2);
    expect(await readBodyText(new Request("http://localhost/x", { method: "POST", body: text }))).toBe(text);
    expect(await readBodyText(new Request("http://localhost/x"))).toBe("");
  });

  it("a body that breaks off is bad input, not a server failure", async () => {
    const body = new ReadableStream<Uint8Array>({
      pull: (c) => c.error(new Error("aborted")),
    });
    const req = new Request("http://localhost/x", { method: "POST", body, duplex: "half" } as RequestInit);
    await expect(readBodyText(req)).rejects.toMatchObject({ code: "BAD_INPUT", message: "The body was not received completely; send it again." });
  });
});
