import Image from "next/image";
import Link from "next/link";

/** The frame of the not-found and error pages: logo, a headline, a few words and what to do next. */
export function BrandPage({ code, title, children, actions }: { code: string; title: string; children: React.ReactNode; actions?: React.ReactNode }) {
  return (
    <main className="flex min-h-screen items-center justify-center px-4 py-12">
      <div className="w-full max-w-md space-y-5 rounded-xl border border-slate-200 bg-white p-8 text-center shadow-sm">
        <Link href="/" className="inline-flex items-center gap-2 text-lg font-bold tracking-tight text-brand-700">
          <Image src="/logo.svg" alt="" width={28} height={28} unoptimized priority />
          KeyRelay
        </Link>
        <p className="text-sm font-semibold uppercase tracking-wide text-slate-600">{code}</p>
        <h1 className="text-2xl font-semibold">{title}</h1>
        <div className="text-sm text-slate-700">{children}</div>
        <div className="flex flex-wrap justify-center gap-2">
          {actions}
          <Link href="/dashboard" className="rounded-md border border-slate-300 px-4 py-2 text-sm font-semibold text-slate-800 hover:bg-slate-100">
            Go to the dashboard
          </Link>
        </div>
      </div>
    </main>
  );
}
