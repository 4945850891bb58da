/**
 * next-auth configuration: email + password (+ a 2FA code) through the Credentials provider, in a
 * JWT cookie that carries the id of a server-side Session row (auth/sessions.ts). The JWT callback
 * refuses a cookie whose session has ended, so next-auth neither accepts nor renews it.
 */
import type { NextAuthOptions } from "next-auth";
import { getServerSession } from "next-auth";
import { getToken } from "next-auth/jwt";
import CredentialsProviderModule from "next-auth/providers/credentials";
import { getEnv } from "~/env";
import { claimSessionHandoff, findLiveSession } from "~/server/auth/sessions";
import { signIn, signInInput, type SignInRefusal } from "~/server/auth/sign-in";
import { getDb } from "~/server/db";
import { parseCookieHeader } from "~/server/http/cookies";
import { requestMeta } from "~/server/http/request-meta";
import { logger } from "~/server/logger";
import { consume, refundRateLimit, resetRateLimit } from "~/server/ratelimit/process-rate-limits";
import { getKeyring } from "~/server/vault/process-keyring";

// next-auth 4 is CommonJS: bundlers unwrap its default export, plain Node ESM (tsx scripts) does not.
const CredentialsProvider =
  (CredentialsProviderModule as unknown as { default?: typeof CredentialsProviderModule }).default ?? CredentialsProviderModule;

export const SESSION_MAX_AGE_S = 7 * 24 * 3600;

/**
 * What the sign-in form receives in `error` (next-auth passes a thrown Error's message through);
 * a wrong email or password is next-auth's own "CredentialsSignin", the same for both.
 */
export const SIGN_IN_ERRORS: Record<Exclude<SignInRefusal, "bad_credentials" | "second_factor_rate_limited">, string> = {
  email_not_verified: "EmailNotVerified",
  second_factor_required: "SecondFactorRequired",
  second_factor_invalid: "SecondFactorInvalid",
};

class SessionEndedError extends Error {
  constructor() {
    super("the session behind this cookie has ended");
    this.name = "SessionEndedError";
  }
}

export const authOptions: NextAuthOptions = {
  session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_S },
  pages: { signIn: "/sign-in", error: "/sign-in" },
  providers: [
    CredentialsProvider({
      name: "Email and password",
      credentials: { email: { type: "email" }, password: { type: "password" }, code: { type: "text" }, verifyToken: { type: "text" } },
      async authorize(credentials, req) {
        const parsed = signInInput.safeParse({
          ...credentials,
          code: credentials?.code || undefined,
          verifyToken: credentials?.verifyToken || undefined,
        });
        if (!parsed.success) return null;
        const meta = requestMeta(req.headers ?? {});
        const ip = meta.ip ?? "unknown";
        for (const [name, key] of [["signInIp", ip], ["signIn", `${ip}|${parsed.data.email}`]] as const) {
          const r = await consume(name, key);
          if (!r.ok) throw new Error(`Too many sign-in attempts. Try again in ${r.retryAfterSeconds} s.`);
        }
        const result = await signIn(getDb(), parsed.data, { meta, adminEmails: getEnv().ADMIN_EMAILS, keyring: getKeyring() });
        if (result.ok) {
          // Only failures count: many people signing in behind one office NAT are not a password spray.
          await Promise.all([refundRateLimit("signInIp", ip), resetRateLimit("signIn", `${ip}|${parsed.data.email}`)]);
          return { id: result.user.id, email: result.user.email, name: result.user.name, sid: result.sessionId };
        }
        if (result.reason === "bad_credentials") return null;
        if (result.reason === "second_factor_rate_limited") throw new Error(`Too many two-factor attempts. Try again in ${result.retryAfterSeconds ?? 900} s.`);
        throw new Error(SIGN_IN_ERRORS[result.reason]);
      },
    }),
  ],
  callbacks: {
    async jwt({ token, user, trigger, session }) {
      if (user) return { ...token, uid: user.id, sid: user.sid };
      // After a password or 2FA change ended every session, the browser that made the change moves
      // to a fresh one with the single-use handoff from that response (auth/sessions.ts).
      const handoff = (session as { handoff?: unknown } | undefined)?.handoff;
      if (trigger === "update" && typeof handoff === "string" && token.uid) {
        const sid = await claimSessionHandoff(getDb(), token.uid, token.sid, handoff);
        if (sid) return { ...token, sid };
      }
      // A cookie from before server-side sessions, or of a session that was signed out, revoked or
      // has expired: next-auth then answers "no session" and clears the cookie instead of renewing it.
      if (!token.uid || !token.sid || !(await findLiveSession(getDb(), token.sid, token.uid))) throw new SessionEndedError();
      return token;
    },
    session({ session, token }) {
      if (token.uid) session.user = { ...session.user, id: token.uid };
      if (token.sid) session.sid = token.sid;
      return session;
    },
  },
  // next-auth's own messages go through the redacting logger, not straight to the console.
  logger: {
    error(code, metadata) {
      const err = (metadata as { error?: unknown } | undefined)?.error ?? metadata;
      if (code === "JWT_SESSION_ERROR") logger.debug({ code, reason: (err as Error | undefined)?.name }, "session cookie refused");
      else logger.warn({ code, err }, "next-auth error");
    },
    warn(code) {
      logger.warn({ code }, "next-auth warning");
    },
    debug() {},
  },
};

export function getSession() {
  return getServerSession(authOptions);
}

/** The signed-in session of a request's cookie, without Next's request scope (REST routes, tests). */
export async function sessionAuthFromRequest(req: Request): Promise<{ userId: string; sessionId: string } | null> {
  const cookies = parseCookieHeader(req.headers.get("cookie"));
  if (cookies.size === 0) return null;
  // No Authorization header here: getToken would otherwise try it as a session token.
  const token = await getToken({ req: { headers: new Headers(), cookies } as never });
  return token?.uid && token.sid ? { userId: token.uid, sessionId: token.sid } : null;
}
