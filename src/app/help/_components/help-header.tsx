import Link from "next/link";

/** The help pages' header: the app's name and the way back to the help index. Public, no session read. */
export function HelpHeader({ current }: { current?: string }) {
  return (
    <nav aria-label="Help" className="flex flex-wrap items-center gap-x-3 gap-y-1 text-sm">
      <Link href="/" className="text-lg font-bold tracking-tight text-brand-700">KeyRelay</Link>
      <span aria-hidden className="text-slate-400">/</span>
      <Link href="/help" aria-current={current ? undefined : "page"} className="font-medium text-brand-700 hover:underline">Help</Link>
      {current ? (
        <>
          <span aria-hidden className="text-slate-400">/</span>
          <span aria-current="page" className="min-w-0 break-words text-slate-600">{current}</span>
        </>
      ) : null}
    </nav>
  );
}
