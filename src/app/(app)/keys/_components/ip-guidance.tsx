"use client";

import { useState } from "react";

/**
 * Where to restrict a key: the server's egress IPs (EGRESS_IPS) with a copy button, or, when the
 * operator has not set them, how the operator finds them. Never a guessed address.
 */
export function IpGuidance({ egressIps }: { egressIps: string[] }) {
  const [copied, setCopied] = useState<"yes" | "failed" | null>(null);
  if (egressIps.length === 0) {
    return (
      <span data-testid="ip-guidance">
        this server&apos;s public (egress) IP addresses. They are not configured here yet: your operator finds them by running{" "}
        <code className="rounded bg-white px-1">curl https://ifconfig.me</code> on the server, and can set <code className="rounded bg-white px-1">EGRESS_IPS</code> so this page shows them
      </span>
    );
  }
  const list = egressIps.join(",");
  return (
    <span data-testid="ip-guidance">
      this server&apos;s IP{egressIps.length > 1 ? "s" : ""}: <code data-testid="egress-ips" className="rounded bg-white px-1">{egressIps.join(", ")}</code>{" "}
      <button
        type="button"
        onClick={() => {
          navigator.clipboard.writeText(list).then(
            () => setCopied("yes"),
            () => setCopied("failed"),
          );
        }}
        className="rounded border border-slate-300 bg-white px-1.5 py-0.5 text-xs font-medium hover:bg-slate-100"
      >
        {copied === "yes" ? "Copied" : "Copy"}
      </button>
      {copied === "failed" ? <span role="status" className="ml-1 text-xs text-slate-600">(copy blocked by the browser: select the addresses instead)</span> : null}
    </span>
  );
}
