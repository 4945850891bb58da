"use client";

import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "~/trpc/react";

const dateTimeFmt = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" });

export function DevMailbox() {
  const trpc = useTRPC();
  const list = useQuery(trpc.mailbox.list.queryOptions());
  if (list.isPending) return <p className="text-sm text-slate-500">Loading…</p>;
  if (list.isError) return <p role="alert" className="text-sm text-red-600">{list.error.message}</p>;
  return (
    <div className="space-y-4">
      {!list.data.inUse ? (
        <p role="status" className="rounded-md border border-slate-200 bg-slate-50 px-3 py-2 text-sm text-slate-700">
          An SMTP server is configured: mail is sent, not kept here. Older messages from before may still be listed.
        </p>
      ) : null}
      {list.data.messages.length === 0 ? (
        <p className="text-sm text-slate-500">No messages yet.</p>
      ) : (
        <ul className="space-y-3" aria-label="Messages">
          {list.data.messages.map((m) => (
            <li key={m.id} data-testid="mailbox-message" className="rounded-xl border border-slate-200 bg-white shadow-sm">
              <details>
                <summary className="flex cursor-pointer flex-wrap items-baseline justify-between gap-2 p-4">
                  <span className="font-medium">{m.subject}</span>
                  <span className="text-xs text-slate-600">
                    to {m.to} · {dateTimeFmt.format(m.at)}
                  </span>
                </summary>
                <pre className="overflow-x-auto whitespace-pre-wrap break-words border-t border-slate-100 p-4 text-sm">
                  {/* Links made clickable, nothing else rendered as HTML. */}
                  {m.text.split(/(https?:\/\/\S+)/g).map((part, i) =>
                    /^https?:\/\//.test(part) ? (
                      <a key={i} href={part} className="text-brand-600 underline">
                        {part}
                      </a>
                    ) : (
                      part
                    ),
                  )}
                </pre>
              </details>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
