// A clock for tests that records waits instead of sleeping: time moves only when someone sleeps.
import type {Clock} from '../../src/lib/clock.js'

export interface FakeClock extends Clock {
  /** Every wait asked for, in ms. */
  readonly sleeps: number[]
}

/** An aborted signal rejects like the real clock. */
export function fakeClock(start = Date.UTC(2026, 0, 1)): FakeClock {
  let now = start
  const sleeps: number[] = []
  return {
    sleeps,
    now: () => now,
    async sleep(ms, signal) {
      if (signal?.aborted) throw signal.reason
      sleeps.push(ms)
      now += ms
    },
  }
}

export interface ManualClock extends Clock {
  /** Moves time on, waking (in order) every wait that falls due. */
  advance(ms: number): void
  /** Waits not yet due (timers armed on this clock). */
  pending(): number
}

/** A clock whose waits end only when the test moves time on (timers that must not fire by themselves). */
export function manualClock(start = Date.UTC(2026, 0, 1)): ManualClock {
  let now = start
  const waits = new Set<{at: number; wake: () => void}>()
  return {
    now: () => now,
    pending: () => waits.size,
    sleep(ms, signal) {
      return new Promise<void>((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason)
        const wait = {at: now + Math.max(0, ms), wake: () => (signal?.removeEventListener('abort', onAbort), resolve())}
        const onAbort = () => {
          waits.delete(wait)
          reject(signal?.reason)
        }
        signal?.addEventListener('abort', onAbort, {once: true})
        if (ms <= 0) return wait.wake()
        waits.add(wait)
      })
    },
    advance(ms) {
      const until = now + ms
      for (const wait of [...waits].sort((a, b) => a.at - b.at)) {
        if (wait.at > until) break
        now = wait.at
        waits.delete(wait)
        wait.wake()
      }
      now = until
    },
  }
}
