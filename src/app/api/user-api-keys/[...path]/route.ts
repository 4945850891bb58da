import type { NextRequest } from "next/server";
import { handleUserApiKeys } from "~/server/api/rest/user-api-keys";

export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ path: string[] }> };

async function handler(req: NextRequest, ctx: Ctx) {
  const { path } = await ctx.params;
  return handleUserApiKeys(req, path);
}

export { handler as GET, handler as POST, handler as DELETE, handler as PUT, handler as PATCH };
