import NextAuth from "next-auth";
import { getToken } from "next-auth/jwt";
import type { NextRequest } from "next/server";
import { authOptions } from "~/server/auth/next-auth";
import { requestContext } from "~/server/auth/request-context";
import { recordSignOut } from "~/server/auth/users";

const handler = NextAuth(authOptions);

type Ctx = { params: Promise<{ nextauth: string[] }> };

export function GET(req: NextRequest, ctx: Ctx) {
  return handler(req, ctx);
}

export async function POST(req: NextRequest, ctx: Ctx) {
  const { nextauth } = await ctx.params;
  if (nextauth[0] === "signout") {
    // next-auth's signOut event has no request; end the server-side session and record IP and
    // user agent here instead. A copy of this cookie is refused from now on.
    const token = await getToken({ req });
    if (token?.uid) {
      const { db, meta } = await requestContext({ headers: req.headers, auth: null });
      await recordSignOut(db, { id: token.uid, email: token.email }, meta, token.sid ?? null);
    }
  }
  return handler(req, ctx);
}
