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
