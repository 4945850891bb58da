"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { TH } from "~/app/(app)/signals/_components/execution-format";
import { RT } from "~/components/responsive-table";
import { useTRPC } from "~/trpc/react";
import { BUTTON, INPUT } from "./user-format";
import { UserRow } from "./user-row";

const COLUMNS = ["User", "Tier", "Trading", "Last activity", "Change tier", "Status"];

/** Search by email or name (as you type, debounced), 50 a page, "Load more" appends. */
export function UsersList() {
  const trpc = useTRPC();
  const [text, setText] = useState("");
  const [q, setQ] = useState("");
  useEffect(() => {
    const t = setTimeout(() => setQ(text.trim()), 300);
    return () => clearTimeout(t);
  }, [text]);
  const list = useInfiniteQuery(trpc.admin.users.infiniteQueryOptions({ q: q || undefined, limit: 50 }, { getNextPageParam: (p) => p.nextCursor }));
  const rows = list.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <div className="space-y-4">
      <form
        role="search"
        aria-label="User search"
        onSubmit={(e) => {
          e.preventDefault();
          setQ(text.trim());
        }}
        className="max-w-md space-y-1"
      >
        <label htmlFor="users-search" className="block text-sm font-medium text-slate-700">Search users</label>
        <input id="users-search" type="search" value={text} onChange={(e) => setText(e.target.value)} placeholder="email or name" className={`${INPUT} w-full px-3 py-2`} />
      </form>
      {list.isPending ? (
        <p className="text-sm text-slate-500">Loading users…</p>
      ) : !list.data ? (
        <p role="alert" className="text-sm text-red-600">{list.error?.message ?? "Could not load users."}</p>
      ) : rows.length === 0 ? (
        <p className="text-sm text-slate-500" data-testid="users-empty">{q ? `No user matches “${q}”.` : "No users yet."}</p>
      ) : (
        <div className="relative rounded-lg border border-slate-200 bg-white sm:overflow-x-auto">
          <table className={RT.table} aria-label="Users">
            <thead className={`${RT.thead} bg-slate-50`}>
              <tr>
                {COLUMNS.map((c) => (
                  <th key={c} scope="col" className={TH}>{c}</th>
                ))}
              </tr>
            </thead>
            <tbody className={RT.tbody}>
              {rows.map((u) => (
                <UserRow key={u.id} user={u} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {list.data ? (
        <div className="flex flex-wrap items-center gap-3 text-sm text-slate-600">
          <span role="status" data-testid="users-count">
            {rows.length} user{rows.length === 1 ? "" : "s"} shown{list.hasNextPage ? "" : " (all)"}
          </span>
          {list.hasNextPage ? (
            <button type="button" onClick={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage} className={BUTTON}>
              {list.isFetchingNextPage ? "Loading…" : "Load more"}
            </button>
          ) : null}
          {list.isError ? <span role="alert" className="text-red-600">{list.error.message}</span> : null}
        </div>
      ) : null}
    </div>
  );
}
