/**
 * Tables that become cards below 640 px (Tailwind's `sm`): the same rows and cells, so tests and
 * screen readers see one structure; on a phone each row is a card and each cell shows its column's
 * name beside its value, so nothing (status, reason) is off-screen.
 */
export const RT = {
  table: "block w-full text-sm sm:table sm:min-w-full sm:divide-y sm:divide-slate-200",
  thead: "hidden sm:table-header-group",
  tbody: "block divide-y divide-slate-200 sm:table-row-group sm:divide-slate-100",
  row: "flex flex-col gap-1 p-3 sm:table-row sm:p-0",
  /** A cell: label and value side by side on a phone; a table cell from `sm` up. */
  cell: "flex items-start justify-between gap-3 sm:table-cell sm:whitespace-nowrap sm:px-3 sm:py-2 sm:align-top",
  /** A cell with long text (a reason): label above, text wrapping, on a phone. */
  wideCell: "block sm:table-cell sm:px-3 sm:py-2 sm:align-top",
} as const;

/** The column's name, shown inside the cell on a phone only (the header row is hidden there). */
export function CellLabel({ children }: { children: React.ReactNode }) {
  return <span className="shrink-0 text-xs font-semibold uppercase tracking-wide text-slate-600 sm:hidden">{children}</span>;
}
