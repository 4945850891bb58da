"use client";

import { useState } from "react";
import { fmtAmount } from "~/components/decimal-format";
import type { RouterOutputs } from "~/trpc/react";
import { IpGuidance } from "./ip-guidance";
import { formatDateTime } from "~/components/time-format";

type KeyView = RouterOutputs["keys"]["allStatus"]["exchanges"][number]["keys"][number];
const DAY_MS = 86_400_000;

const when = (d: Date) => formatDateTime(d);

/** "in 12 days", "in 1 day", "in under a day", or "expired" (whole days rounded up, as the warnings count them). */
export function expiresIn(expiresAt: Date, now: number): string {
  const left = expiresAt.getTime() - now;
  if (left <= 0) return "expired";
  const days = Math.ceil(left / DAY_MS);
  return left < DAY_MS ? "in under a day" : `in ${days} day${days === 1 ? "" : "s"}`;
}

/** Balance, expiry and IP binding as read at the last verification, as rows of the key's <dl>. */
export function KeyHealthRows({ k, exchangeName, egressIps }: { k: KeyView; exchangeName: string; egressIps: string[] }) {
  // The time the card was shown: days are whole, so a render later the same minute changes nothing.
  const [now] = useState(() => Date.now());
  const soon = k.expiresAt !== null && k.expiresAt.getTime() - now <= 14 * DAY_MS;
  return (
    <>
      <dt className="text-slate-500">Balance</dt>
      <dd data-testid="key-balance">
        {k.balance ? (
          <>
            <span className="font-medium">{fmtAmount(k.balance.amount)} {k.balance.currency}</span>{" "}
            <span className="text-slate-500">read {when(k.balance.readAt)}</span>
          </>
        ) : (
          <span className="text-slate-500">not read yet</span>
        )}
      </dd>
      <dt className="text-slate-500">Expires</dt>
      <dd data-testid="key-expiry" className={soon ? "font-medium text-amber-800" : undefined}>
        {!k.permissionsKnown ? (
          <span className="text-slate-500">unknown</span>
        ) : k.expiresAt ? (
          <>
            {`expires ${expiresIn(k.expiresAt, now)}`} <span className="text-slate-500">({when(k.expiresAt)})</span>
            {!k.ipRestricted ? <span className="block text-xs text-slate-600">{exchangeName} limits keys without an IP restriction; a key bound to IPs does not expire this way.</span> : null}
          </>
        ) : (
          "no expiry reported"
        )}
      </dd>
      <dt className="text-slate-500">IP binding</dt>
      <dd data-testid="key-ip-binding">
        {!k.permissionsKnown ? (
          <span className="text-slate-500">unknown</span>
        ) : k.ipRestricted ? (
          k.boundIps.length ? (
            <>restricted to <code className="rounded bg-slate-50 px-1">{k.boundIps.join(", ")}</code></>
          ) : (
            `restricted to listed IPs (${exchangeName} does not say which)`
          )
        ) : (
          <span className="text-amber-900">
            any IP: anyone holding the key and secret can use it. Restrict it to <IpGuidance egressIps={egressIps} />.
          </span>
        )}
      </dd>
    </>
  );
}
