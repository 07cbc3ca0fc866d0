// A per-key sliding window over event time, bounded: expired entries and idle keys are dropped as time moves on.
export interface Entry<V> {
  t: number
  seq: number
  value: V
}

export class KeyedWindow<V> {
  private readonly keys = new Map<string, Entry<V>[]>()
  private latest = 0
  private sinceSweep = 0

  constructor(private readonly windowMs: number) {}

  /** Adds an entry and returns the key's entries within the window ending at `t`. */
  add(key: string, t: number, seq: number, value: V): Entry<V>[] {
    this.latest = Math.max(this.latest, t)
    const entries = (this.keys.get(key) ?? []).filter((e) => e.t > t - this.windowMs)
    entries.push({t, seq, value})
    this.keys.set(key, entries)
    if (++this.sinceSweep >= 1000) this.sweep()
    return entries
  }

  clear(key: string): void {
    this.keys.delete(key)
  }

  get size(): number {
    return this.keys.size
  }

  private sweep(): void {
    this.sinceSweep = 0
    for (const [key, entries] of this.keys) if (entries[entries.length - 1].t <= this.latest - this.windowMs) this.keys.delete(key)
  }
}
