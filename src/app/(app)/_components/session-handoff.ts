"use client";

import { getCsrfToken } from "next-auth/react";

/**
 * After a password or 2FA change every session ends, this browser's too (a copy of its cookie must
 * stop working). The change's response carries a single-use handoff; next-auth's session update
 * (POST /api/auth/session, CSRF-checked) trades it for a cookie of a fresh session. Without one, or
 * if that fails, the browser signs in again.
 */
export async function resumeSession(handoff: string | null): Promise<void> {
  if (handoff) {
    const csrfToken = await getCsrfToken();
    const res = await fetch("/api/auth/session", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ csrfToken, data: { handoff } }),
    });
    const session = res.ok ? ((await res.json()) as { user?: unknown } | null) : null;
    if (session?.user) return;
  }
  // A full load on purpose: this browser's session is over, nothing client-side should survive it.
  // eslint-disable-next-line @next/next/no-location-assign-relative-destination
  window.location.assign("/sign-in");
}
