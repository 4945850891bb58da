/** next-auth configuration: email + password (Credentials) with JWT sessions. */
import type { NextAuthOptions } from "next-auth";
import { getServerSession } from "next-auth";
import { getToken } from "next-auth/jwt";
import CredentialsProviderModule from "next-auth/providers/credentials";
import { getDb } from "~/server/db";
import { requestMeta } from "~/server/http/request-meta";
import { authenticate, signInInput } from "~/server/auth/users";
import { consume } from "~/server/ratelimit/process-rate-limits";

// next-auth 4 is CommonJS: bundlers unwrap its default export, plain Node ESM (tsx scripts) does not.
const CredentialsProvider =
  (CredentialsProviderModule as unknown as { default?: typeof CredentialsProviderModule }).default ?? CredentialsProviderModule;

export const SESSION_MAX_AGE_S = 7 * 24 * 3600;

export const authOptions: NextAuthOptions = {
  session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_S },
  pages: { signIn: "/sign-in", error: "/sign-in" },
  providers: [
    CredentialsProvider({
      name: "Email and password",
      credentials: { email: { type: "email" }, password: { type: "password" } },
      async authorize(credentials, req) {
        const parsed = signInInput.safeParse(credentials);
        if (!parsed.success) return null;
        const meta = requestMeta(req.headers ?? {});
        const ip = meta.ip ?? "unknown";
        for (const [name, key] of [["signInIp", ip], ["signIn", `${ip}|${parsed.data.email}`]] as const) {
          const r = await consume(name, key);
          if (!r.ok) throw new Error(`Too many sign-in attempts. Try again in ${r.retryAfterSeconds} s.`);
        }
        const user = await authenticate(getDb(), parsed.data, meta);
        return user ? { id: user.id, email: user.email, name: user.name } : null;
      },
    }),
  ],
  callbacks: {
    jwt({ token, user }) {
      if (user) token.uid = user.id;
      return token;
    },
    session({ session, token }) {
      if (token.uid) session.user = { ...session.user, id: token.uid };
      return session;
    },
  },
};

export function getSession() {
  return getServerSession(authOptions);
}

/** The signed-in user id from a request's session cookie, without Next's request scope (REST routes, tests). */
export async function sessionUserIdFromRequest(req: Request): Promise<string | null> {
  const cookies = new Map<string, string>();
  for (const part of (req.headers.get("cookie") ?? "").split(";")) {
    const i = part.indexOf("=");
    if (i > 0) cookies.set(part.slice(0, i).trim(), decodeURIComponent(part.slice(i + 1).trim()));
  }
  if (cookies.size === 0) return null;
  // No Authorization header here: getToken would otherwise try it as a session token.
  const token = await getToken({ req: { headers: new Headers(), cookies } as never });
  return token?.uid ?? null;
}
