// Work a request started that can outlive its connection; the platform waits for it before it closes the stores.
export class InFlight {
  private readonly pending = new Set<Promise<unknown>>()

  /** Tracks `work` when it is a promise; its rejection still reaches the process as before. */
  track(work: unknown): void {
    if (!(work instanceof Promise)) return
    const done: Promise<unknown> = work.finally(() => this.pending.delete(done))
    this.pending.add(done)
  }

  /** Resolves once every tracked piece of work has settled, including work tracked while waiting. */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending])
  }
}
