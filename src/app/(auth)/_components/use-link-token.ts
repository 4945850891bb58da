"use client";

import { useEffect, useState } from "react";

/**
 * The single-use token from an emailed link (`...#token=...`). It travels in the fragment, which
 * browsers never send to the server; once read it is removed from the address bar and history.
 * undefined while reading, null when the link has none.
 */
export function useLinkToken(): string | null | undefined {
  const [token, setToken] = useState<string | null | undefined>(undefined);
  useEffect(() => {
    const match = /(?:^#|&)token=([^&]+)/.exec(window.location.hash);
    // Reading the address bar once, after hydration: an effect is where that belongs.
    // eslint-disable-next-line react-hooks/set-state-in-effect
    setToken(match ? decodeURIComponent(match[1]!) : null);
    if (match) window.history.replaceState(null, "", window.location.pathname);
  }, []);
  return token;
}
