// One hop of a route diagnosis: what was checked, how long it took, and the verdict with its cause and next step.
import {PpctlError} from '../errors/index.js'

export type Verdict = 'OK' | 'WARN' | 'FAIL' | 'SKIP'

export interface Hop {
  /** Stable id: profile, discovery, token, proxy, global, <role>.dns, <role>.tcp, <role>.tls, <role>.health, home.key, firewall. */
  id: string
  title: string
  verdict: Verdict
  ms: number
  /** What the hop found, in one line. */
  summary: string
  cause?: string
  nextStep?: string
  /** The stable code of the typed error behind a FAIL (causeOf), so a support ticket names it exactly. */
  code?: string
  details: Record<string, unknown>
}

export const hop = (h: Omit<Hop, 'details'> & {details?: Record<string, unknown>}): Hop => ({...h, details: h.details ?? {}})

export function causeOf(err: unknown): {cause: string; nextStep?: string; code?: string} {
  if (err instanceof PpctlError) return {cause: err.message, nextStep: err.nextStep, code: err.code}
  return {cause: String((err as Error)?.message ?? err)}
}
