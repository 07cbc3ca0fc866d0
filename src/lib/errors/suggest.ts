// "Did you mean …?": the candidate closest to what was typed, when it is close enough to be a typo of it.
import {distance} from 'fastest-levenshtein'

/**
 * The closest candidate by edit distance, or undefined when none is plausibly what was meant: up to one edit in
 * three characters (`lst` → `list`, `conector list` → `connector list`, `--teir` → `--tier`).
 */
export function closest(typed: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined
  let bestDistance = Number.POSITIVE_INFINITY
  for (const candidate of candidates) {
    const d = distance(typed.toLowerCase(), candidate.toLowerCase())
    if (d < bestDistance) [best, bestDistance] = [candidate, d]
  }
  return bestDistance <= Math.max(1, Math.floor(typed.length / 3)) ? best : undefined
}
