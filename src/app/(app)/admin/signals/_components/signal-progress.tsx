type Progress = { queued: number; sent: number; filled: number; failed: number; skipped: number; total: number };

const PARTS = [
  { key: "filled", label: "Filled", color: "bg-green-500" },
  { key: "failed", label: "Failed", color: "bg-red-500" },
  { key: "skipped", label: "Skipped", color: "bg-slate-400" },
  { key: "sent", label: "Sent", color: "bg-blue-500" },
  { key: "queued", label: "Queued", color: "bg-blue-200" },
] as const;

/** Fan-out progress: done = filled + failed + skipped, out of every execution of the signal. */
export function SignalProgress({ progress: p }: { progress: Progress }) {
  const done = p.filled + p.failed + p.skipped;
  const pct = (n: number) => (p.total ? (n / p.total) * 100 : 0);
  return (
    <div data-testid="signal-progress" data-done={done} data-total={p.total} className="w-48 space-y-1">
      <div
        role="progressbar"
        aria-label="Fan-out progress"
        aria-valuemin={0}
        aria-valuemax={p.total}
        aria-valuenow={done}
        aria-valuetext={`${done} of ${p.total} done`}
        className="flex h-2.5 w-full overflow-hidden rounded-full bg-slate-100"
      >
        {PARTS.map((part) =>
          p[part.key] ? <div key={part.key} className={`${part.color} h-full transition-[width] duration-300`} style={{ width: `${pct(p[part.key])}%` }} /> : null,
        )}
      </div>
      <p className="text-xs font-medium text-slate-700 tabular-nums">
        {done}/{p.total} done
      </p>
      <ul className="flex flex-wrap gap-x-2.5 gap-y-0.5 text-xs text-slate-600" aria-label="Executions by status">
        {PARTS.map((part) => (
          <li key={part.key} data-testid={`progress-${part.key}`} className="flex items-center gap-1 tabular-nums">
            <span aria-hidden="true" className={`inline-block h-2 w-2 rounded-sm ${part.color}`} />
            {part.label} {p[part.key]}
          </li>
        ))}
      </ul>
    </div>
  );
}
