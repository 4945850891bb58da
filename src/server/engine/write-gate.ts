/**
 * Tier order at the wire, in this process: an order of a signal is written to its exchange
 * connection only once every better-priority order of the same signal that is being sent here has
 * been written (PRO before FLEX before TRIAL, whichever exchange each goes to). Sends start in
 * priority order (send-priority.ts), but a Bybit create goes through more steps before its request
 * is written than a Binance one, so without this gate a FLEX order on Binance reached its exchange
 * before PRO orders on Bybit. The gate is at the write itself (exchange-adapter's `beforeWrite`).
 *
 * A better-priority send that stalls before its write (a paused key, a slow look-up) holds the others
 * at most `maxWaitMs`; a send that ends without writing (refused before the wire) releases its place.
 * Counts per (signal, priority), so a check is O(tiers) and waiters wake only when a tier empties.
 */
export class WriteGate {
  private seq = 0;
  /** signalId -> priority -> sends registered and not yet written. */
  private readonly unwritten = new Map<string, Map<number, number>>();
  private readonly tickets = new Map<number, { signalId: string; priority: number }>();
  private readonly waiters = new Map<string, Set<() => void>>();

  constructor(private readonly maxWaitMs: number) {}

  /** A send of `signalId` at `priority` that will be written soon; call before any of the signal's sends start. */
  register(signalId: string, priority: number): number {
    const ticket = ++this.seq;
    if (this.maxWaitMs <= 0) return ticket;
    this.tickets.set(ticket, { signalId, priority });
    const counts = this.unwritten.get(signalId) ?? new Map<number, number>();
    counts.set(priority, (counts.get(priority) ?? 0) + 1);
    this.unwritten.set(signalId, counts);
    return ticket;
  }

  /** Resolves when this send may be written (and counts it as written). */
  async beforeWrite(ticket: number): Promise<void> {
    const t = this.tickets.get(ticket);
    if (!t) return;
    const deadline = Date.now() + this.maxWaitMs;
    while (this.ahead(t) && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const set = this.waiters.get(t.signalId) ?? new Set<() => void>();
        this.waiters.set(t.signalId, set);
        const wake = () => {
          clearTimeout(timer);
          set.delete(wake);
          if (set.size === 0 && this.waiters.get(t.signalId) === set) this.waiters.delete(t.signalId);
          resolve();
        };
        const timer = setTimeout(wake, Math.max(1, deadline - Date.now()));
        set.add(wake);
      });
    }
    this.release(ticket);
  }

  /** The send is over; if it never wrote, its place is given up. Idempotent. */
  release(ticket: number): void {
    const t = this.tickets.get(ticket);
    if (!t) return;
    this.tickets.delete(ticket);
    const counts = this.unwritten.get(t.signalId)!;
    const left = counts.get(t.priority)! - 1;
    if (left > 0) {
      counts.set(t.priority, left);
      return;
    }
    counts.delete(t.priority);
    if (counts.size === 0) this.unwritten.delete(t.signalId);
    for (const wake of [...(this.waiters.get(t.signalId) ?? [])]) wake();
  }

  private ahead(t: { signalId: string; priority: number }): boolean {
    for (const [p, n] of this.unwritten.get(t.signalId) ?? []) if (p < t.priority && n > 0) return true;
    return false;
  }
}
