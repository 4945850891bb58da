import { SignJWT, base64url } from "jose";
import { describe, expect, it } from "vitest";
import { isAppError } from "~/server/errors";
import { deriveTokenKey, hashJti, newJti, signApiToken, tokenSecretFromEnv, verifyApiToken } from "~/server/tokens/token-jwt";

const SECRET = "unit-test-secret-0123456789abcdef0123456789";
const now = new Date("2026-06-01T12:00:00Z");
const later = (days: number) => new Date(now.getTime() + days * 86_400_000);

async function token(overrides: Partial<{ userId: string; jti: string; issuedAt: Date; expiresAt: Date }> = {}) {
  return signApiToken(SECRET, { userId: "user_1", jti: newJti(), issuedAt: now, expiresAt: later(30), ...overrides });
}

function decodePart(part: string): Record<string, unknown> {
  return JSON.parse(new TextDecoder().decode(base64url.decode(part))) as Record<string, unknown>;
}

describe("API token JWTs", () => {
  it("carry sub, jti, iat, exp and typ kr_pat, and verify", async () => {
    const jti = newJti();
    const t = await token({ jti });
    const [header, payload] = t.split(".");
    expect(decodePart(header!)).toEqual({ alg: "HS256", typ: "JWT" });
    expect(decodePart(payload!)).toEqual({
      sub: "user_1",
      jti,
      iat: now.getTime() / 1000,
      exp: later(30).getTime() / 1000,
      typ: "kr_pat",
    });
    expect(await verifyApiToken(SECRET, t, later(1))).toEqual({ ok: true, userId: "user_1", jti, expiresAt: later(30) });
  });

  it("jti is 128 random bits; only its sha256 is stored", () => {
    const a = newJti();
    expect(base64url.decode(a)).toHaveLength(16);
    expect(newJti()).not.toBe(a);
    expect(hashJti(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashJti(a)).not.toContain(a);
  });

  it("are signed with an HKDF-derived key, not the raw secret", async () => {
    const t = await token();
    const withRawSecret = await new SignJWT({ typ: "kr_pat" })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("user_1")
      .setJti(newJti())
      .setIssuedAt(now)
      .setExpirationTime(later(30))
      .sign(new TextEncoder().encode(SECRET));
    expect((await verifyApiToken(SECRET, withRawSecret, now)).ok).toBe(false);
    expect(Buffer.from(deriveTokenKey(SECRET)).toString("hex")).not.toBe(Buffer.from(SECRET).subarray(0, 32).toString("hex"));
    expect(await verifyApiToken("another-secret-0123456789abcdef0123456789", t, now)).toEqual({ ok: false, reason: "bad_signature" });
  });

  it("reject a changed signature or payload as bad_signature", async () => {
    const t = await token();
    const [h, p, s] = t.split(".") as [string, string, string];
    const flipped = s.slice(0, -2) + (s.at(-2) === "A" ? "B" : "A") + s.at(-1);
    expect(await verifyApiToken(SECRET, `${h}.${p}.${flipped}`, now)).toEqual({ ok: false, reason: "bad_signature" });
    const otherUser = base64url.encode(JSON.stringify({ ...decodePart(p), sub: "user_2" }));
    expect(await verifyApiToken(SECRET, `${h}.${otherUser}.${s}`, now)).toEqual({ ok: false, reason: "bad_signature" });
  });

  it("report expiry with the (trusted) owner and date", async () => {
    const t = await token({ expiresAt: later(1) });
    expect(await verifyApiToken(SECRET, t, later(2))).toEqual({ ok: false, reason: "expired", userId: "user_1", expiresAt: later(1) });
  });

  it("reject malformed tokens and foreign JWTs as malformed", async () => {
    for (const bad of ["", "abc", "a.b", "a.b.c.d", "a.b.c", "x".repeat(3000), "eyJ.eyJ.!!"]) {
      expect(await verifyApiToken(SECRET, bad, now)).toEqual({ ok: false, reason: "malformed" });
    }
    const key = deriveTokenKey(SECRET);
    const wrongTyp = await new SignJWT({ typ: "session" })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("user_1")
      .setJti(newJti())
      .setIssuedAt(now)
      .setExpirationTime(later(30))
      .sign(key);
    expect(await verifyApiToken(SECRET, wrongTyp, now)).toEqual({ ok: false, reason: "malformed" });
    const noJti = await new SignJWT({ typ: "kr_pat" }).setProtectedHeader({ alg: "HS256" }).setSubject("u").setIssuedAt(now).setExpirationTime(later(1)).sign(key);
    expect(await verifyApiToken(SECRET, noJti, now)).toEqual({ ok: false, reason: "malformed" });
    const unsigned = `${base64url.encode(JSON.stringify({ alg: "none" }))}.${base64url.encode(JSON.stringify({ sub: "u", typ: "kr_pat" }))}.x`;
    expect(await verifyApiToken(SECRET, unsigned, now)).toEqual({ ok: false, reason: "malformed" });
  });

  it("need a secret of at least 32 characters, from the argument or NEXTAUTH_SECRET", () => {
    expect(() => deriveTokenKey("short")).toThrow(/at least 32/);
    expect(tokenSecretFromEnv({ NEXTAUTH_SECRET: SECRET })).toBe(SECRET);
    try {
      tokenSecretFromEnv({});
      expect.unreachable();
    } catch (err) {
      expect(isAppError(err, "CONFIG")).toBe(true);
      expect((err as Error).message).toMatch(/NEXTAUTH_SECRET is not set/);
    }
  });
});
