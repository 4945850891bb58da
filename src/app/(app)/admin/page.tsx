import Link from "next/link";
import { requireAccount } from "~/trpc/server";

const SECTIONS = [
  { href: "/admin/strategies", title: "Strategies", text: "Create strategies, copy their TradingView webhook URL and alert message, rotate URLs." },
  { href: "/admin/signals", title: "Signals", text: "Every alert received, the decision taken on it, and the orders it fanned out to, live." },
  { href: "/admin/trading", title: "Trading controls", text: "Halt live trading for the whole platform, one exchange or one strategy, with a reason users see; resume it." },
  { href: "/admin/users", title: "Users", text: "Every account with its tier, keys and last activity; change tiers, disable or enable accounts." },
  { href: "/admin/audit", title: "Audit log", text: "Who did what and when, filterable and exportable as CSV, with a tamper check of the hash chain." },
  { href: "/admin/metrics", title: "Metrics", text: "Signal throughput, order latency and error rates across exchanges; user satisfaction." },
  { href: "/admin/mailbox", title: "Mailbox (dev only)", text: "Email kept instead of sent while no SMTP server is configured in development: verification and reset links." },
];

export default async function AdminPage() {
  await requireAccount("/admin", "admin");
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold">Admin</h1>
      <ul className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
        {SECTIONS.map((s) => (
          <li key={s.href}>
            <Link href={s.href} className="block h-full rounded-xl border border-slate-200 bg-white p-5 shadow-sm hover:border-brand-500 focus:outline-none focus:ring-2 focus:ring-brand-500">
              <span className="block text-lg font-semibold text-brand-700">{s.title}</span>
              <span className="mt-1 block text-sm text-slate-600">{s.text}</span>
            </Link>
          </li>
        ))}
      </ul>
    </div>
  );
}
