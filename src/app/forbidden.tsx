import Link from "next/link";

export default function Forbidden() {
  return (
    <main className="flex min-h-[60vh] flex-col items-center justify-center gap-3 px-4 text-center">
      <p className="text-sm font-semibold text-red-600">403</p>
      <h1 className="text-2xl font-semibold">You don&apos;t have access to this page</h1>
      <p className="text-slate-600">This area is for administrators.</p>
      <Link href="/dashboard" className="text-brand-600 hover:underline">
        Back to your dashboard
      </Link>
    </main>
  );
}
