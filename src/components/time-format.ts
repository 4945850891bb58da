/**
 * Times as the screens show them: always with the time zone they are in ("2/12/2026, 16:05:09 UTC"),
 * so a screenshot or a support message is never ambiguous. The zone defaults to the browser's.
 */
export interface TimeFormatOptions {
  locale?: string;
  timeZone?: string;
}

const cache = new Map<string, Intl.DateTimeFormat>();

function formatter(kind: "dateTime" | "time", opts: TimeFormatOptions): Intl.DateTimeFormat {
  const key = `${kind}|${opts.locale ?? ""}|${opts.timeZone ?? ""}`;
  let f = cache.get(key);
  if (!f) {
    const base: Intl.DateTimeFormatOptions = { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23", timeZoneName: "short", timeZone: opts.timeZone };
    f = new Intl.DateTimeFormat(opts.locale, kind === "dateTime" ? { ...base, year: "numeric", month: "2-digit", day: "2-digit" } : base);
    cache.set(key, f);
  }
  return f;
}

/** Date and time with seconds and the zone's short name. */
export function formatDateTime(d: Date, opts: TimeFormatOptions = {}): string {
  return formatter("dateTime", opts).format(d);
}

/** Time of day with seconds and the zone's short name. */
export function formatTime(d: Date, opts: TimeFormatOptions = {}): string {
  return formatter("time", opts).format(d);
}

/** "in 5 min" / "3 h ago" style distance, for "last verified" and similar. */
export function formatAgo(d: Date, now: Date = new Date()): string {
  const s = Math.round((now.getTime() - d.getTime()) / 1000);
  const abs = Math.abs(s);
  const [n, unit] = abs < 60 ? [abs, "s"] : abs < 3600 ? [Math.floor(abs / 60), "min"] : abs < 86_400 ? [Math.floor(abs / 3600), "h"] : [Math.floor(abs / 86_400), "d"];
  if (abs < 5) return "just now";
  return s >= 0 ? `${n} ${unit} ago` : `in ${n} ${unit}`;
}
