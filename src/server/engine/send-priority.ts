/**
 * In this process, a batch starts its sends only after the batches of a better priority that
 * started before it have started theirs (or after maxWaitMs). Batches run concurrently, so
 * without this a FLEX batch whose claim came back first would send before PRO batches still
 * claiming; the queue hands the jobs out in priority order, this keeps that order to the wire.
 */
export class SendPriority {
  private seq = 0;
  private readonly pending = new Map<number, number>(); // ticket -> priority
  private readonly waiters = new Set<() => void>();

  constructor(private readonly maxWaitMs: number) {}

  enter(priority: number): number {
    const ticket = ++this.seq;
    this.pending.set(ticket, priority);
    return ticket;
  }

  async turn(ticket: number): Promise<void> {
    const mine = this.pending.get(ticket);
    if (mine === undefined) return;
    const deadline = Date.now() + this.maxWaitMs;
    const ahead = () => [...this.pending].some(([t, p]) => t < ticket && p < mine);
    while (ahead() && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, Math.max(1, deadline - Date.now()));
        this.waiters.add(wake);
      });
    }
  }

  leave(ticket: number): void {
    if (!this.pending.delete(ticket)) return;
    for (const wake of [...this.waiters]) wake();
  }
}

/**
 * At most `limit` orders of this process between the start of their send and its answer, across
 * all running batches. A batch starts its sends once all of them fit; orders of a worse priority
 * never hold back a better one (only those at its own priority or better count against it), so a
 * better batch never waits on a worse batch that is itself waiting at the write gate for it. A
 * batch larger than the limit goes alone. Beyond the exchange connections, more orders in flight
 * only queue, signed, in the connection pool, and every one kept alive across a garbage collection
 * is copied by it: measured on a 10,000-order fan-out, 2,048 in flight cost ~15 % more CPU per
 * order than 512, for the same time to the last send.
 *
 * A soft bound: a batch that found no room within `maxWaitMs` goes anyway (counted in
 * `overLimit`), so an exchange that hangs, its orders holding the room until they time out, delays
 * the other exchange's orders by that wait at most, never by its timeouts.
 */
export class InFlightOrders {
  private readonly held = new Map<number, number>(); // priority -> orders in flight
  private readonly waiting: Waiter[] = [];
  /** Batches that went without room after waiting maxWaitMs. */
  overLimit = 0;

  constructor(
    readonly limit: number,
    private readonly maxWaitMs: number,
  ) {}

  /** Resolves once `n` more orders at `priority` may be sent; each is given back with `release`. */
  acquire(priority: number, n: number): Promise<void> {
    if (n <= 0) return Promise.resolve();
    if (this.fits(priority, n)) {
      this.add(priority, n);
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      const w: Waiter = {
        priority,
        n,
        resolve,
        timer: setTimeout(() => {
          this.waiting.splice(this.waiting.indexOf(w), 1);
          this.overLimit++;
          this.add(priority, n);
          resolve();
        }, this.maxWaitMs),
      };
      this.waiting.push(w);
    });
  }

  /** One order answered: its room goes to the waiting batches that now fit, in the order they came. */
  release(priority: number): void {
    const left = (this.held.get(priority) ?? 0) - 1;
    if (left > 0) this.held.set(priority, left);
    else this.held.delete(priority);
    for (let i = 0; i < this.waiting.length; ) {
      const w = this.waiting[i]!;
      if (!this.fits(w.priority, w.n)) {
        i++;
        continue;
      }
      this.waiting.splice(i, 1);
      clearTimeout(w.timer);
      this.add(w.priority, w.n);
      w.resolve();
    }
  }

  /** Orders in flight now (for tests and the health answer). */
  get size(): number {
    let n = 0;
    for (const count of this.held.values()) n += count;
    return n;
  }

  private fits(priority: number, n: number): boolean {
    let held = 0;
    for (const [p, count] of this.held) if (p <= priority) held += count;
    return held === 0 || held + n <= this.limit;
  }

  private add(priority: number, n: number): void {
    this.held.set(priority, (this.held.get(priority) ?? 0) + n);
  }
}

interface Waiter {
  priority: number;
  n: number;
  resolve: () => void;
  timer: NodeJS.Timeout;
}
