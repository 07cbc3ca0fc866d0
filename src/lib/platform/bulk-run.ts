// Runs the items of a bulk command (CSV rows, connector ids) with bounded concurrency, results in input order,
// progress for the caller to show, and a stop signal that starts no new item and lets the ones in flight finish.

export interface BulkProgress {
  done: number
  total: number
  /** Epoch ms when the run started, for a rate and an ETA. */
  startedAt: number
}

export interface BulkOptions {
  /** Items in flight at once; 1 runs them strictly one after another, in order. Default 8. */
  concurrency?: number
  /** Aborted (Ctrl-C): no new item starts; the ones in flight finish. */
  signal?: AbortSignal
  onProgress?: (progress: BulkProgress) => void
  now?: () => number
}

export interface BulkRun<R> {
  /** One per item, in input order; undefined for an item that never started (the run was stopped). */
  results: Array<R | undefined>
  interrupted: boolean
}

export const DEFAULT_CONCURRENCY = 8

/** Items are taken in input order by up to `concurrency` workers; `work` must not throw for an item's own failure. */
export async function runBulk<T, R>(items: readonly T[], work: (item: T, index: number) => Promise<R>, options: BulkOptions = {}): Promise<BulkRun<R>> {
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? DEFAULT_CONCURRENCY))
  const results: Array<R | undefined> = new Array(items.length).fill(undefined)
  const progress: BulkProgress = {done: 0, total: items.length, startedAt: (options.now ?? Date.now)()}
  let next = 0
  const worker = async () => {
    while (next < items.length && !options.signal?.aborted) {
      const index = next++
      results[index] = await work(items[index], index)
      progress.done++
      options.onProgress?.({...progress})
    }
  }
  await Promise.all(Array.from({length: Math.min(concurrency, items.length)}, worker))
  return {results, interrupted: Boolean(options.signal?.aborted) && progress.done < items.length}
}

/**
 * Seats of one SKU for a bulk assignment, so that rows get them in file order whatever the concurrency: a row starts
 * with a seat reserved for it, or, when none is known to be free, alone (nothing of that SKU in flight) to hear the
 * platform's answer. The dry run's simulation (a seat per row in file order) then predicts the real run.
 */
export class SeatGate {
  private inFlight = 0
  private readonly waiting: Array<(reserved: boolean) => void> = []

  constructor(private available: number) {}

  /** Resolves when the row may start: true when a seat was reserved for it. */
  acquire(): Promise<boolean> {
    if (this.waiting.length === 0 && this.mayStart()) return Promise.resolve(this.grant())
    return new Promise((resolve) => this.waiting.push(resolve))
  }

  /** The row is done: it took a seat (consumed) or not; noSeats when the platform said none is left. */
  release(reserved: boolean, outcome: {consumed: boolean; noSeats?: boolean}): void {
    this.inFlight--
    if (reserved && !outcome.consumed) this.available++
    if (outcome.noSeats) this.available = 0
    // Granted here, one by one, so no more rows start than there are seats.
    while (this.waiting.length > 0 && this.mayStart()) this.waiting.shift()!(this.grant())
  }

  private grant(): boolean {
    this.inFlight++
    if (this.available <= 0) return false
    this.available--
    return true
  }

  private mayStart(): boolean {
    return this.available > 0 || this.inFlight === 0
  }
}
