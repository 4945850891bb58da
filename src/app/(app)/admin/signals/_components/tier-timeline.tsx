/**
 * When each tier's orders of one signal were written to their exchanges and answered, relative to
 * the first order sent: PRO's last send should come before FLEX's first, FLEX's before TRIAL's.
 */
const TIERS = ["PRO", "FLEX", "TRIAL"] as const;

type Row = { tier: string; sentAt: Date | string | null; ackAt: Date | string | null };
type Span = { tier: (typeof TIERS)[number]; count: number; firstSent: number; lastSent: number; lastAck: number | null };

const ms = (d: Date | string) => new Date(d).getTime();

export function tierSpans(rows: Row[]): { spans: Span[]; inOrder: boolean } {
  const sent = rows.filter((r) => r.sentAt !== null);
  if (sent.length === 0) return { spans: [], inOrder: true };
  const t0 = Math.min(...sent.map((r) => ms(r.sentAt!)));
  const spans: Span[] = [];
  for (const tier of TIERS) {
    const mine = sent.filter((r) => r.tier === tier);
    if (mine.length === 0) continue;
    const acks = mine.filter((r) => r.ackAt !== null).map((r) => ms(r.ackAt!) - t0);
    spans.push({
      tier,
      count: mine.length,
      firstSent: Math.min(...mine.map((r) => ms(r.sentAt!) - t0)),
      lastSent: Math.max(...mine.map((r) => ms(r.sentAt!) - t0)),
      lastAck: acks.length ? Math.max(...acks) : null,
    });
  }
  const inOrder = spans.every((s, i) => i === 0 || spans[i - 1]!.lastSent <= s.firstSent);
  return { spans, inOrder };
}

export function TierTimeline({ rows }: { rows: Row[] }) {
  const { spans, inOrder } = tierSpans(rows);
  if (spans.length === 0) return null;
  return (
    <div data-testid="tier-timeline" className="mb-2 rounded-lg border border-slate-200 bg-white px-3 py-2 text-sm">
      <p className="font-medium text-slate-800">
        Send order by tier{" "}
        <span data-testid="tier-order" className={`ml-1 rounded px-1.5 py-0.5 text-xs font-semibold ${inOrder ? "bg-emerald-50 text-emerald-800" : "bg-amber-100 text-amber-900"}`}>
          {inOrder ? "in tier order" : "tiers overlapped"}
        </span>
      </p>
      <ul className="mt-1 space-y-0.5 tabular-nums text-slate-700">
        {spans.map((s) => (
          <li key={s.tier} data-testid="tier-span" data-tier={s.tier}>
            <span className="inline-block w-14 font-semibold">{s.tier}</span>
            {s.count} {s.count === 1 ? "order" : "orders"}, sent +{s.firstSent}–{s.lastSent} ms
            {s.lastAck === null ? "" : `, last answer +${s.lastAck} ms`}
          </li>
        ))}
      </ul>
      <p className="mt-1 text-xs text-slate-500">Times from the first order written to an exchange connection, as this server&apos;s clock saw them.</p>
    </div>
  );
}
