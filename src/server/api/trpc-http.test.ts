import { describe, expect, it } from "vitest";
import { handleTrpc } from "~/server/api/trpc-http";
import { MAX_BODY_BYTES } from "~/server/http/body-limit";
import { TRPC_MAX_BATCH } from "~/trpc/batch-limit";

/** A POST whose body is produced only as it is read: `pulled()` says how many bytes were asked for. */
function streamingPost(url: string, total: number) {
  let produced = 0;
  const body = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (produced >= total) return controller.close();
        produced += 16 * 1024;
        controller.enqueue(new Uint8Array(16 * 1024).fill(0x61));
      },
    },
    { highWaterMark: 0 },
  );
  const req = new Request(url, { method: "POST", body, headers: { "content-type": "application/json" }, duplex: "half" } as RequestInit);
  return { req, pulled: () => produced };
}

describe("the tRPC endpoint's bounds", () => {
  it("a 150 MB body is refused 413 as it streams, before any call runs, in tRPC's error shape", async () => {
    const { req, pulled } = streamingPost("http://localhost/api/trpc/auth.signUp", 150 * 1024 * 1024);
    const res = await handleTrpc(req);
    expect(res.status).toBe(413);
    const body = (await res.json()) as { error: { json: { message: string; data: { code: string; appCode: string } } } };
    expect(body.error.json).toMatchObject({ message: "The body is larger than 64 KB.", data: { code: "PAYLOAD_TOO_LARGE", appCode: "PAYLOAD_TOO_LARGE" } });
    expect(pulled()).toBeLessThan(MAX_BODY_BYTES + 64 * 1024);
  });

  it("a batch of more calls than TRPC_MAX_BATCH is refused 400, whatever the calls", async () => {
    const paths = Array.from({ length: TRPC_MAX_BATCH + 1 }, () => "auth.signUp").join(",");
    const input = Object.fromEntries(Array.from({ length: TRPC_MAX_BATCH + 1 }, (_, i) => [i, { json: { email: `b${i}@example.com` } }]));
    const res = await handleTrpc(new Request(`http://localhost/api/trpc/${paths}?batch=1`, { method: "POST", body: JSON.stringify(input), headers: { "content-type": "application/json" } }));
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toContain("Batch call exceeds maximum size");
    const get = await handleTrpc(new Request(`http://localhost/api/trpc/${paths}?batch=1&input=${encodeURIComponent(JSON.stringify(input))}`));
    expect(get.status).toBe(400);
  });
});
