/**
 * Next's proxy (formerly middleware): a fresh CSP nonce for every page.
 * The policy goes on the request too, because Next reads the nonce from the request's
 * Content-Security-Policy header while it renders and puts it on its own scripts; the response
 * carries the same policy (replacing the nonce-less one scripts/server.ts set). Pages are
 * rendered per request (the root layout awaits connection()), so a nonce is never baked into HTML.
 */
import { NextResponse, type NextRequest } from "next/server";
import { contentSecurityPolicy, newNonce } from "~/server/http/security-headers.mjs";

const NONCE_HEADER = "x-nonce";

export function proxy(request: NextRequest) {
  const nonce = newNonce();
  const csp = contentSecurityPolicy({ nonce });
  const headers = new Headers(request.headers);
  headers.set(NONCE_HEADER, nonce);
  headers.set("content-security-policy", csp);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set("content-security-policy", csp);
  return response;
}

export const config = {
  matcher: [
    {
      // Pages only: API routes and static files keep the nonce-less policy (no inline script at all).
      source: "/((?!api/|_next/static|_next/image|favicon.ico|logo.svg).*)",
      // Prefetches are RSC payloads, not documents: no script runs from them.
      missing: [
        { type: "header", key: "next-router-prefetch" },
        { type: "header", key: "purpose", value: "prefetch" },
      ],
    },
  ],
};
