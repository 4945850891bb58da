import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { getEnv } from "~/env";
import { guideBySlug } from "~/server/help/guides";
import { webhookUrlBase } from "~/server/strategies/webhook-url";
import { GuideBlock } from "../_components/guide-blocks";
import { HelpHeader } from "../_components/help-header";

type Params = { params: Promise<{ slug: string }> };

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  const guide = guideBySlug((await params).slug);
  return { title: `${guide?.title ?? "Help"} · KeyRelay` };
}

/** Public (no sign-in): one user guide, with this server's egress IPs and webhook address filled in. */
export default async function GuidePage({ params }: Params) {
  const guide = guideBySlug((await params).slug);
  if (!guide) notFound();
  const facts = { egressIps: getEnv().EGRESS_IPS, webhookBase: webhookUrlBase().base };
  return (
    <main className="mx-auto max-w-3xl space-y-6 px-4 py-8">
      <header className="space-y-2">
        <HelpHeader current={guide.title} />
        <h1 className="text-2xl font-semibold text-slate-900">{guide.title}</h1>
        <p className="text-sm text-slate-600">{guide.summary}</p>
        {guide.sections.length > 2 ? (
          <nav aria-label="On this page" className="text-sm">
            <ul className="flex flex-wrap gap-x-4 gap-y-1">
              {guide.sections.map((s) => (
                <li key={s.id}><a href={`#${s.id}`} className="text-brand-700 hover:underline">{s.heading}</a></li>
              ))}
            </ul>
          </nav>
        ) : null}
      </header>
      {guide.sections.map((s) => (
        <section key={s.id} id={s.id} aria-labelledby={`${s.id}-title`} className="min-w-0 scroll-mt-4 space-y-3 text-sm leading-relaxed text-slate-800">
          <h2 id={`${s.id}-title`} className="text-lg font-semibold text-slate-900">{s.heading}</h2>
          {s.blocks.map((b, i) => <GuideBlock key={i} block={b} facts={facts} />)}
        </section>
      ))}
      <footer className="border-t border-slate-200 pt-4 text-sm">
        <Link href="/help" className="font-medium text-brand-700 hover:underline">← All guides</Link>
        {" · "}
        <Link href="/help/troubleshooting" className="font-medium text-brand-700 hover:underline">Troubleshooting</Link>
      </footer>
    </main>
  );
}
