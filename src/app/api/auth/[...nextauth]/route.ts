import NextAuth from "next-auth";
import { getToken } from "next-auth/jwt";
import type { NextRequest } from "next/server";
import { authOptions } from "~/server/auth/next-auth";
import { recordSignOut } from "~/server/auth/users";
import { getDb } from "~/server/db";
import { requestMeta } from "~/server/http/request-meta";

const handler = NextAuth(authOptions);

type Ctx = { params: Promise<{ nextauth: string[] }> };

export function GET(req: NextRequest, ctx: Ctx) {
  return handler(req, ctx);
}

export async function POST(req: NextRequest, ctx: Ctx) {
  const { nextauth } = await ctx.params;
  if (nextauth[0] === "signout") {
    // next-auth's signOut event has no request; record IP and user agent here instead.
    const token = await getToken({ req });
    if (token?.uid) await recordSignOut(getDb(), { id: token.uid, email: token.email }, requestMeta(req.headers));
  }
  return handler(req, ctx);
}
