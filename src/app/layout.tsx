import type { Metadata } from "next";
import { connection } from "next/server";
import "~/app/globals.css";
import { TRPCReactProvider } from "~/trpc/react";

export const metadata: Metadata = {
  title: "KeyRelay",
  description: "Trade TradingView signals on your own exchange accounts.",
};

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  // Render every page per request: the CSP nonce (src/proxy.ts) cannot be in HTML built ahead of time.
  await connection();
  return (
    <html lang="en">
      <body className="min-h-screen bg-slate-50 text-slate-900 antialiased">
        <TRPCReactProvider>{children}</TRPCReactProvider>
      </body>
    </html>
  );
}
