// What a detector sees (the audit event's fields it uses) and what it raises.
export interface WatchedEvent {
  seq: number
  time: string
  tenantId?: string
  action: string
  result: string
  actor?: {type?: string; id?: string; upn?: string; appId?: string}
  target?: {type?: string; id?: string}
  clientIp?: string
}

export interface Alert {
  detector: string
  /** The time of the event that raised it (detectors run on event time, never the wall clock). */
  time: string
  /** What the alert is about: an account, an address, a connector, a tenant. */
  subject: string
  summary: string
  count: number
  windowSeconds?: number
  /** The seqs of the events behind the alert, for looking them up. */
  seqs: number[]
}

/** A detector: fed every event in seq order; the same sequence always gives the same alerts. */
export interface Detector {
  readonly name: string
  observe(event: WatchedEvent): Alert[]
}

export const actorOf = (e: WatchedEvent) => e.actor?.upn ?? e.actor?.id ?? e.actor?.appId ?? 'unknown'
