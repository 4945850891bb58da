"use client";

import Image from "next/image";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { signOut } from "next-auth/react";
import type { RouterOutputs } from "~/trpc/react";
import { HaltBanner } from "./halt-banner";
import { ModeBadge } from "./mode-badge";
import { NotificationBell } from "./notification-bell";
import { StepUpProvider } from "./step-up";

const NAV = [
  { href: "/dashboard", label: "Dashboard" },
  { href: "/keys", label: "Keys" },
  { href: "/signals", label: "Signals" },
  { href: "/positions", label: "Positions" },
  { href: "/settings", label: "Settings" },
];

export function AppShell(props: { user: { name: string; email: string; isAdmin: boolean }; halts: RouterOutputs["halts"]["banner"]; children: React.ReactNode }) {
  const pathname = usePathname();
  const items = props.user.isAdmin ? [...NAV, { href: "/admin", label: "Admin" }] : NAV;
  return (
    <div className="min-h-screen">
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-6xl flex-wrap items-center gap-4 px-4 py-3">
          <Link href="/dashboard" className="flex items-center gap-2 text-lg font-bold tracking-tight text-brand-700">
            <Image src="/logo.svg" alt="" width={24} height={24} unoptimized priority />
            KeyRelay
          </Link>
          <nav aria-label="Main" className="flex flex-1 flex-wrap gap-1">
            {items.map((item) => {
              const active = pathname === item.href || pathname.startsWith(`${item.href}/`);
              return (
                <Link
                  key={item.href}
                  href={item.href}
                  aria-current={active ? "page" : undefined}
                  className={`rounded-md px-3 py-1.5 text-sm font-medium ${
                    active ? "bg-brand-50 text-brand-700" : "text-slate-600 hover:bg-slate-100"
                  }`}
                >
                  {item.label}
                </Link>
              );
            })}
          </nav>
          <div className="flex items-center gap-3 text-sm">
            <Link href="/help" className="font-medium text-slate-600 hover:text-brand-700 hover:underline">Help</Link>
            <ModeBadge />
            <NotificationBell />
            <span className="hidden text-slate-500 sm:inline">{props.user.email}</span>
            <button
              type="button"
              onClick={() => void signOut({ callbackUrl: "/sign-in" })}
              className="rounded-md border border-slate-300 px-3 py-1.5 font-medium hover:bg-slate-100"
            >
              Sign out
            </button>
          </div>
        </div>
      </header>
      <HaltBanner initial={props.halts} />
      <main className="mx-auto max-w-6xl px-4 py-8">
        <StepUpProvider>{props.children}</StepUpProvider>
      </main>
    </div>
  );
}
