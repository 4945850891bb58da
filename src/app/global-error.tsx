"use client";

import "~/app/globals.css";
import { BrandPage } from "~/components/brand-page";

/** The root layout itself failed: this replaces it, so it brings its own <html> and <body>. */
export default function GlobalError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <html lang="en">
      <body className="min-h-screen bg-slate-50 text-slate-900 antialiased">
        <BrandPage
          code="Error"
          title="KeyRelay could not load"
          actions={
            <button type="button" onClick={reset} className="rounded-md bg-brand-600 px-4 py-2 text-sm font-semibold text-white hover:bg-brand-700">
              Try again
            </button>
          }
        >
          <p>Something went wrong while loading the app. Your keys, subscriptions and orders are not affected.</p>
          {error.digest ? <p className="mt-2 font-mono text-xs text-slate-600">Reference: {error.digest}</p> : null}
        </BrandPage>
      </body>
    </html>
  );
}
