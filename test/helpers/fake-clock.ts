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
