const STATUS_STYLE: Record<string, string> = {
  ACTIVE: "bg-green-100 text-green-800 ring-green-600/20",
  UNVERIFIED: "bg-slate-100 text-slate-700 ring-slate-500/20",
  REJECTED: "bg-amber-100 text-amber-800 ring-amber-600/20",
  DISABLED: "bg-red-100 text-red-800 ring-red-600/20",
};

export function StatusBadge({ status, testId = "key-status" }: { status: string; testId?: string }) {
  return (
    <span data-testid={testId} className={`inline-flex items-center rounded-full px-2.5 py-0.5 text-xs font-semibold ring-1 ring-inset ${STATUS_STYLE[status] ?? STATUS_STYLE.UNVERIFIED}`}>
      {status}
    </span>
  );
}

/**
 * `ipRestricted`: what the exchange reported (Binance ipRestrict, Bybit ips); leave it out when the key was never read.
 * `known` false: the permissions could not be read (the exchange refused the key): each shows as unknown, not as off.
 */
export function PermissionChips({
  permissions,
  ipRestricted,
  known = true,
}: {
  permissions: { read: boolean; trade: boolean; futures: boolean; withdraw: boolean };
  ipRestricted?: boolean;
  known?: boolean;
}) {
  if (!known) {
    return (
      <ul aria-label="Permissions" className="flex flex-wrap items-center gap-1.5" title="The exchange did not accept this key, so its permissions could not be read">
        {(["read", "trade", "futures", "withdraw"] as const).map((name) => (
          <li key={name} data-testid={`perm-${name}`} data-enabled="unknown" className="rounded-md border border-dashed border-slate-300 px-2 py-0.5 text-xs font-medium text-slate-500">
            <span className="sr-only">unknown: </span>
            {name}
          </li>
        ))}
        <li data-testid="perm-unknown" className="text-xs text-slate-500">unknown: the exchange did not accept the key</li>
      </ul>
    );
  }
  const items = [
    ["read", permissions.read],
    ["trade", permissions.trade],
    ["futures", permissions.futures],
    ["withdraw", permissions.withdraw],
  ] as const;
  return (
    <ul aria-label="Permissions" className="flex flex-wrap gap-1.5">
      {items.map(([name, on]) => (
        <li
          key={name}
          data-testid={`perm-${name}`}
          data-enabled={on ? "true" : "false"}
          className={`rounded-md px-2 py-0.5 text-xs font-medium ${
            on ? (name === "withdraw" ? "bg-red-600 text-white" : "bg-brand-600 text-white") : "bg-slate-100 text-slate-600 line-through"
          }`}
        >
          <span className="sr-only">{on ? "allowed: " : "not allowed: "}</span>
          {name}
        </li>
      ))}
      {ipRestricted === undefined ? null : (
        <li
          data-testid="perm-ip"
          data-enabled={ipRestricted ? "true" : "false"}
          title={ipRestricted ? "The exchange accepts this key only from listed IP addresses" : "The exchange accepts this key from any IP address"}
          className={`rounded-md px-2 py-0.5 text-xs font-medium ${ipRestricted ? "bg-green-100 text-green-800" : "bg-amber-100 text-amber-900"}`}
        >
          {ipRestricted ? "IP-restricted" : "any IP"}
        </li>
      )}
    </ul>
  );
}
