import { describe, expect, it } from "vitest";
import { parseEnv } from "~/env";
import { resolveClientIp } from "~/server/http/request-meta";

const PROXY = "10.1.2.3";

/** The client IP as the server entry records it, configured from the environment as in production. */
function clientIp(trustProxy: string | undefined, forwardedFor: string | string[] | undefined, socketAddress = "::ffff:10.0.0.1") {
  return resolveClientIp({ socketAddress, forwardedFor, trustProxy: parseEnv({ TRUST_PROXY: trustProxy }).TRUST_PROXY });
}

describe("client IP behind proxies (TRUST_PROXY as a hop count)", () => {
  it("a client that writes its own X-Forwarded-For, appended to by one trusted proxy, is recorded by the address the proxy saw", () => {
    // The attacker sends "X-Forwarded-For: 6.6.6.6"; nginx appends the address that connected to it.
    expect(clientIp("1", `6.6.6.6, ${PROXY}`)).toBe(PROXY);
    expect(clientIp("true", `6.6.6.6, ${PROXY}`)).toBe(PROXY);
    expect(clientIp("1", ["6.6.6.6", PROXY])).toBe(PROXY);
    expect(clientIp("1", "6.6.6.6,1.1.1.1,  " + PROXY)).toBe(PROXY);
  });

  it("counts hops from the right: with two proxies the client is the second entry from the right", () => {
    expect(clientIp("2", `6.6.6.6, 198.51.100.7, ${PROXY}`)).toBe("198.51.100.7");
    // Fewer entries than hops: the left-most one (the farthest any proxy saw).
    expect(clientIp("3", `198.51.100.7, ${PROXY}`)).toBe("198.51.100.7");
  });

  it("unset, 0 or false: the socket's address, whatever the header says", () => {
    for (const off of [undefined, "", "0", "false", "no"]) expect(clientIp(off, `6.6.6.6, ${PROXY}`), String(off)).toBe("10.0.0.1");
  });

  it("without a header, or with garbage where an address should be, falls back to the socket's address", () => {
    expect(clientIp("1", undefined)).toBe("10.0.0.1");
    expect(clientIp("1", " , ")).toBe("10.0.0.1");
    expect(clientIp("1", "6.6.6.6, <script>")).toBe("10.0.0.1");
  });

  it("reads addresses some proxies write with a port, and IPv6", () => {
    expect(clientIp("1", "203.0.113.7:51234")).toBe("203.0.113.7");
    expect(clientIp("1", "[2001:db8::1]:443")).toBe("2001:db8::1");
    expect(clientIp("1", "6.6.6.6, 2001:db8::2")).toBe("2001:db8::2");
  });

  it("refuses a TRUST_PROXY that is not a hop count, saying what it must be", () => {
    expect(() => parseEnv({ TRUST_PROXY: "nginx" })).toThrow(/TRUST_PROXY: must be the number of your proxies in front of KeyRelay, 0 to 10/);
    expect(() => parseEnv({ TRUST_PROXY: "11" })).toThrow(/TRUST_PROXY/);
    expect(parseEnv({ TRUST_PROXY: "yes" }).TRUST_PROXY).toBe(1);
  });
});
