"use client";

import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { SatisfactionReport, ScoreStats } from "~/server/satisfaction/satisfaction-report";
import { fmtDateTime } from "~/app/(app)/signals/_components/execution-format";
import { CARD, SrTable, shortDay } from "./chart-kit";

const one = new Intl.NumberFormat("en-US", { maximumFractionDigits: 1 });
const score = (v: number | null) => (v == null ? "no answers" : one.format(v));
const nps = (v: number | null) => (v == null ? "—" : `${v > 0 ? "+" : ""}${one.format(v)}`);
const pct = (v: number | null) => (v == null ? "—" : `${one.format(v)}%`);

function bucketLabel(start: string, bucket: "week" | "month"): string {
  if (bucket === "week") return `Week of ${shortDay(start)}`;
  return new Date(`${start}T00:00:00Z`).toLocaleDateString("en-US", { month: "short", year: "numeric", timeZone: "UTC" });
}

const TIER_LABEL = { PRO: "PRO", FLEX: "FLEX", TRIAL: "TRIAL", ALL: "All tiers" } as const;

/** The satisfaction prompt's answers: average score over time, per tier (with NPS), response rate, latest comments. */
export function SatisfactionCard({ report }: { report: SatisfactionReport }) {
  const all: ScoreStats | undefined = report.perTier.find((t) => t.tier === "ALL");
  const data = report.overTime.map((b) => ({ label: bucketLabel(b.start, report.window.bucket), average: b.average, answers: b.answers }));
  const period = report.window.bucket === "week" ? "week" : "month";

  return (
    <section aria-labelledby="metric-satisfaction-title" data-testid="metric-satisfaction" className={CARD}>
      <h2 id="metric-satisfaction-title" className="text-base font-semibold">User satisfaction</h2>
      <p className="text-sm text-slate-600">
        Answers to &ldquo;How likely are you to recommend KeyRelay to a fellow trader?&rdquo; (0-10), {shortDay(report.window.from)} {report.window.from.slice(0, 4)} to{" "}
        {shortDay(report.window.to)} {report.window.to.slice(0, 4)} (UTC), by {period}. NPS is % promoters (9-10) minus % detractors (0-6). The tier is the user&apos;s when they answered.
      </p>
      <dl className="mt-3 flex flex-wrap gap-x-8 gap-y-2 text-sm">
        <div>
          <dt className="text-slate-500">Average score</dt>
          <dd className="text-2xl font-semibold tabular-nums" data-testid="satisfaction-average">{score(all?.average ?? null)}</dd>
        </div>
        <div>
          <dt className="text-slate-500">NPS</dt>
          <dd className="text-2xl font-semibold tabular-nums" data-testid="satisfaction-nps">{nps(all?.nps ?? null)}</dd>
        </div>
        <div>
          <dt className="text-slate-500">Response rate</dt>
          <dd className="text-2xl font-semibold tabular-nums" data-testid="satisfaction-response-rate">{pct(report.responseRate)}</dd>
          <dd className="text-xs text-slate-500">{all?.answers ?? 0} answered, {all?.dismissals ?? 0} &ldquo;Not now&rdquo;</dd>
        </div>
      </dl>

      <div role="img" aria-label={`Line chart, average score by ${period}: ${data.map((d) => `${d.label} ${score(d.average)}`).join(", ")}.`} className="mt-4 h-48">
        <ResponsiveContainer width="100%" height="100%" initialDimension={{ width: 400, height: 192 }}>
          <LineChart data={data} accessibilityLayer={false} margin={{ top: 8, right: 8, bottom: 0, left: -24 }}>
            <CartesianGrid strokeDasharray="3 3" vertical={false} />
            <XAxis dataKey="label" tick={{ fontSize: 12 }} />
            <YAxis domain={[0, 10]} ticks={[0, 2, 4, 6, 8, 10]} tick={{ fontSize: 12 }} />
            <Tooltip />
            <Line type="monotone" dataKey="average" name="Average score" stroke="#1d4ed8" strokeWidth={2} connectNulls={false} dot />
          </LineChart>
        </ResponsiveContainer>
      </div>
      <SrTable
        caption={`Average score and NPS by ${period}`}
        columns={[period === "week" ? "Week" : "Month", "Average score", "NPS", "Answers", "Not now"]}
        rows={report.overTime.map((b) => ({ label: bucketLabel(b.start, report.window.bucket), cells: [score(b.average), nps(b.nps), String(b.answers), String(b.dismissals)] }))}
      />

      <div className="mt-4 overflow-x-auto">
        <table className="w-full text-sm" data-testid="satisfaction-tiers">
          <caption className="sr-only">Satisfaction per tier</caption>
          <thead>
            <tr className="text-left text-xs uppercase tracking-wide text-slate-500">
              <th scope="col" className="py-1 pr-3">Tier</th>
              <th scope="col" className="py-1 pr-3">Average</th>
              <th scope="col" className="py-1 pr-3">NPS</th>
              <th scope="col" className="py-1 pr-3">Answers</th>
              <th scope="col" className="py-1">Not now</th>
            </tr>
          </thead>
          <tbody className="tabular-nums">
            {report.perTier.map((t) => (
              <tr key={t.tier} data-testid="satisfaction-tier" data-tier={t.tier} className="border-t border-slate-100">
                <th scope="row" className="py-1 pr-3 text-left font-medium">{TIER_LABEL[t.tier]}</th>
                <td className="py-1 pr-3">{score(t.average)}</td>
                <td className="py-1 pr-3">{nps(t.nps)}</td>
                <td className="py-1 pr-3">{t.answers}</td>
                <td className="py-1">{t.dismissals}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <h3 className="mt-5 text-sm font-semibold">Latest comments</h3>
      {report.comments.length ? (
        <ul className="mt-2 divide-y divide-slate-100 text-sm" data-testid="satisfaction-comments">
          {report.comments.map((c) => (
            <li key={c.id} data-testid="satisfaction-comment" className="py-2">
              <p className="flex flex-wrap gap-x-3 text-xs text-slate-500">
                <span className="font-semibold text-slate-800" data-testid="satisfaction-comment-score">{c.score}/10</span>
                <span>{c.tier}</span>
                <span>{c.userEmail}</span>
                <span>{fmtDateTime(c.createdAt)}</span>
              </p>
              {/* Plain text: React escapes it, so a comment cannot inject markup. */}
              <p className="mt-0.5 whitespace-pre-wrap break-words text-slate-800">{c.comment}</p>
            </li>
          ))}
        </ul>
      ) : (
        <p className="mt-2 text-sm text-slate-500">No comments in this window.</p>
      )}
    </section>
  );
}
