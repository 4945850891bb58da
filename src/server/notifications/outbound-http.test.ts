import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeFailure, isPrivateAddress, OutboundRefused, postJson } from "~/server/notifications/outbound-http";

let server: http.Server;
let base: string;
const hits: string[] = [];
beforeAll(async () => {
  server = http.createServer((req, res) => {
    hits.push(req.url ?? "");
    if (req.url === "/redirect") return void res.writeHead(302, { location: "/elsewhere" }).end();
    if (req.url === "/slow") return; // never answers
    res.writeHead(200).end("ok");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

describe("outgoing requests", () => {
  it("knows private, loopback, link-local and mapped addresses from public ones", () => {
    for (const a of ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0", "::1", "fd00::1", "fe80::1", "::ffff:127.0.0.1"]) {
      expect(isPrivateAddress(a), a).toBe(true);
    }
    for (const a of ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111", "example.com"]) expect(isPrivateAddress(a), a).toBe(false);
  });

  it("a redirect is reported, never followed", async () => {
    const r = await postJson(`${base}/redirect`, "{}", { allowPrivate: true });
    expect(r.status).toBe(302);
    expect(describeFailure(r)).toBe("HTTP 302: redirects are not followed; use the final URL.");
    expect(hits.filter((h) => h === "/elsewhere")).toEqual([]);
  });

  it("a target that never answers is cut at the timeout", async () => {
    await expect(postJson(`${base}/slow`, "{}", { allowPrivate: true, timeoutMs: 200 })).rejects.toThrow("no answer within 200 ms");
  });

  it("loopback is refused unless allowed: by address, and by a name that resolves to it", async () => {
    const before = hits.length;
    await expect(postJson(`${base}/x`, "{}", { allowPrivate: false })).rejects.toBeInstanceOf(OutboundRefused);
    await expect(postJson(base.replace("127.0.0.1", "localhost") + "/x", "{}", { allowPrivate: false })).rejects.toThrow(/resolves to a private or loopback address/);
    expect(hits.length).toBe(before);
    expect((await postJson(`${base}/x`, "{}", { allowPrivate: true })).status).toBe(200);
  });
});
