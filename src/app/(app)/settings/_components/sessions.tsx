"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { signOut } from "next-auth/react";
import { useState } from "react";
import { FormError } from "~/components/field";
import { formatDateTime } from "~/components/time-format";
import { useTRPC } from "~/trpc/react";


/** "Chrome on Linux" from a user agent, roughly; the full string is in the title. */
function deviceName(ua: string | null): string {
  if (!ua) return "Unknown device";
  const browser = /Edg\//.test(ua) ? "Edge" : /Firefox\//.test(ua) ? "Firefox" : /Chrom(e|ium)\//.test(ua) ? "Chrome" : /Safari\//.test(ua) ? "Safari" : ua.split(/[ /]/)[0] || "Browser";
  const os = /Windows/.test(ua) ? "Windows" : /Android/.test(ua) ? "Android" : /iPhone|iPad/.test(ua) ? "iOS" : /Mac OS X/.test(ua) ? "macOS" : /Linux/.test(ua) ? "Linux" : null;
  return os ? `${browser} on ${os}` : browser;
}

export function SessionsSection() {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const list = useQuery(trpc.account.sessions.queryOptions());
  const revoke = useMutation(trpc.account.revokeSession.mutationOptions());
  const everywhere = useMutation(trpc.account.signOutEverywhere.mutationOptions());
  const [error, setError] = useState<string | null>(null);

  async function signOutOne(id: string) {
    setError(null);
    try {
      const r = await revoke.mutateAsync({ sessionId: id });
      if (r.current) await signOut({ callbackUrl: "/sign-in" });
      else await qc.invalidateQueries({ queryKey: trpc.account.sessions.queryKey() });
    } catch (err) {
      setError((err as Error).message);
    }
  }

  async function signOutEverywhere() {
    setError(null);
    try {
      await everywhere.mutateAsync();
      await signOut({ callbackUrl: "/sign-in" });
    } catch (err) {
      setError((err as Error).message);
    }
  }

  return (
    <section aria-labelledby="sessions-title" className="space-y-4 rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="space-y-1">
          <h2 id="sessions-title" className="text-lg font-semibold">Where you are signed in</h2>
          <p className="text-sm text-slate-600">Sign out a device you do not recognise, or everywhere at once (this browser too).</p>
        </div>
        <button
          type="button"
          onClick={() => void signOutEverywhere()}
          disabled={everywhere.isPending}
          className="rounded-md border border-red-300 px-3 py-1.5 text-sm font-semibold text-red-700 hover:bg-red-50 disabled:opacity-60"
        >
          {everywhere.isPending ? "Signing out…" : "Sign out everywhere"}
        </button>
      </div>
      <FormError message={error} />
      {list.isPending ? (
        <p className="text-sm text-slate-500">Loading sessions…</p>
      ) : list.isError ? (
        <p role="alert" className="text-sm text-red-600">{list.error.message}</p>
      ) : (
        <ul className="divide-y divide-slate-200 rounded-lg border border-slate-200" aria-label="Your sessions">
          {list.data.map((s) => (
            <li key={s.id} data-testid="session-row" className="flex flex-col gap-2 p-4 sm:flex-row sm:items-center sm:justify-between">
              <div className="min-w-0 space-y-1">
                <p className="flex flex-wrap items-center gap-2 font-medium" title={s.userAgent ?? undefined}>
                  {deviceName(s.userAgent)}
                  {s.current ? <span className="rounded-full bg-green-50 px-2 py-0.5 text-xs font-medium text-green-800 ring-1 ring-inset ring-green-600/20">This browser</span> : null}
                </p>
                <p className="text-xs text-slate-600">
                  {s.ip ?? "unknown IP"} · signed in {formatDateTime(s.createdAt)} · last active {formatDateTime(s.lastSeenAt)}
                </p>
              </div>
              <button
                type="button"
                onClick={() => void signOutOne(s.id)}
                aria-label={`Sign out ${deviceName(s.userAgent)}${s.current ? " (this browser)" : ""}, signed in ${formatDateTime(s.createdAt)}`}
                className="self-start rounded-md border border-slate-300 px-3 py-1.5 text-sm font-medium hover:bg-slate-100 sm:self-auto"
              >
                Sign out
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
