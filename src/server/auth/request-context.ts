/**
 * What a request handler needs from the server: the database, who is calling and from where. The
 * tRPC context, the server-side caller (src/trpc/server.ts) and route handlers all start here, so
 * none of them opens the database itself.
 */
import { getSession } from "~/server/auth/next-auth";
import { getDb, type Db } from "~/server/db";
import { requestMeta, type RequestMeta } from "~/server/http/request-meta";

/**
 * Who is calling, as their credential says: a browser session (its server-side Session row id,
 * checked on every request by auth/access.ts) or a REST API token.
 */
export type AuthInfo = { userId: string; via: "session"; sessionId: string } | { userId: string; via: "token"; tokenId?: string };

export interface RequestContext {
  db: Db;
  /** Who is calling, before any check that the account and session still exist and may act (auth/access.ts). */
  auth: AuthInfo | null;
  meta: RequestMeta;
  headers: Headers;
}

/** `auth` is given by callers that authenticated otherwise (REST bearer tokens); else the session cookie decides. */
export async function requestContext(opts: { headers: Headers; auth?: AuthInfo | null }): Promise<RequestContext> {
  let auth = opts.auth;
  if (auth === undefined) {
    const session = await getSession();
    auth = session?.user?.id && session.sid ? { userId: session.user.id, via: "session", sessionId: session.sid } : null;
  }
  return { db: getDb(), auth, meta: requestMeta(opts.headers), headers: opts.headers };
}
