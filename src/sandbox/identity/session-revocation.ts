// Session revocation at the identity: ends a subject's grants, and publishes "not before" records on a feed the gateway follows.
import type {Provider} from 'oidc-provider'

import type {JsonFileStore} from './store.js'

/**
 * A revocation the gateway enforces without asking the identity per request:
 * - `subject`: every access token of this subject (a user's oid, a service principal's client id) stamped with a lower
 *   `revocation_epoch` than `epoch` is refused — all tokens issued before `notBefore`, none issued after;
 * - `session`: every access token of this grant (`sid`) is refused — a sign-out; kept until no such token can be alive.
 */
export type RevocationEvent =
  | {seq: number; type: 'subject'; tenantId: string; subject: string; epoch: number; notBefore: string}
  | {seq: number; type: 'session'; sessionId: string; notBefore: string; expiresAt: number}

/** What a subscriber of the feed sees: the live state after `after` (compacted), then each new event, in seq order. */
export interface RevocationFeed {
  subscribe(after: number, listener: (event: RevocationEvent) => void | Promise<void>): () => void
}

/** The claim that carries the subject's revocation epoch at issue (absent: 0, never revoked). */
export const EPOCH_CLAIM = 'revocation_epoch'
/** The claim that names the grant (the sign-in session) an access token belongs to. */
export const SESSION_CLAIM = 'sid'

export interface RevokeSubjectRequest {
  tenantId: string
  subject: string
  /** A user's sessions live at the identity (grants, refresh tokens); a service principal has only its access tokens. */
  kind: 'user' | 'servicePrincipal'
}

export interface RevokeSubjectResult {
  notBefore: string
  epoch: number
  /** Grants (sign-in sessions with their refresh tokens) ended at the identity. */
  grantsRevoked: number
  /** Whether every subscriber (the gateway) applied it before this returned. */
  enforced: boolean
}

export interface SessionRevocation {
  feed: RevocationFeed
  revokeSubject(request: RevokeSubjectRequest): Promise<RevokeSubjectResult>
  /** Publishes a session revocation whenever the provider ends a grant (a sign-out revoking its refresh token). */
  follow(provider: Provider): void
  /** Extra access-token claims: the subject's epoch and the token's grant. */
  tokenClaims(token: {accountId?: string; clientId?: string; grantId?: string}, tenantId: string | undefined): Record<string, unknown>
}

const SEQ_KEY = 'Revocation:seq'
const SUBJECT_PREFIX = 'Revocation:subject:'
const SESSION_PREFIX = 'Revocation:session:'
/** A subscriber that has not applied an event in this time is not waited for (the answer says `enforced: false`). */
const ACK_TIMEOUT_MS = 5000
/** Models whose entries belong to an account's sign-in sessions. */
const SESSION_MODELS = ['Session', 'Grant', 'RefreshToken', 'AuthorizationCode', 'DeviceCode', 'AccessToken', 'Interaction']

export interface SessionRevocationOptions {
  store: JsonFileStore
  /** How long an access token lives at most, with the clock tolerance: how long a session revocation is kept. */
  accessTokenLifetimeMs: number
  log: (line: string) => void
}

export function createSessionRevocation(options: SessionRevocationOptions): SessionRevocation {
  const {store} = options
  const listeners = new Set<(event: RevocationEvent) => void | Promise<void>>()
  const subjectKey = (tenantId: string, subject: string) => `${SUBJECT_PREFIX}${tenantId}:${subject}`

  const nextSeq = (): number => {
    const seq = Number(store.get(SEQ_KEY)?.value ?? 0) + 1
    store.set(SEQ_KEY, {value: seq})
    return seq
  }

  /** Delivered on a later turn, as a message on a wire would be; resolves when every subscriber applied it (or gave up). */
  const publish = async (event: RevocationEvent): Promise<boolean> => {
    const deliveries = [...listeners].map(
      (listener) =>
        new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => resolve(false), ACK_TIMEOUT_MS)
          setImmediate(() => {
            Promise.resolve()
              .then(() => listener(event))
              .then(
                () => resolve(true),
                (err: unknown) => {
                  options.log(`identity: a revocation subscriber failed: ${(err as Error).message}`)
                  resolve(false)
                },
              )
              .finally(() => clearTimeout(timer))
          })
        }),
    )
    return (await Promise.all(deliveries)).every(Boolean)
  }

  const liveEvents = (): RevocationEvent[] => {
    const events: RevocationEvent[] = []
    for (const key of store.keysWhere(SUBJECT_PREFIX, () => true)) events.push(store.get(key) as unknown as RevocationEvent)
    for (const key of store.keysWhere(SESSION_PREFIX, () => true)) {
      const event = store.get(key) as unknown as RevocationEvent | undefined
      if (event) events.push(event)
    }
    return events.sort((a, b) => a.seq - b.seq)
  }

  const revokeSession = async (grantId: string) => {
    const now = Date.now()
    const event: RevocationEvent = {
      seq: nextSeq(),
      type: 'session',
      sessionId: grantId,
      notBefore: new Date(now).toISOString(),
      expiresAt: now + options.accessTokenLifetimeMs,
    }
    store.set(`${SESSION_PREFIX}${grantId}`, event as unknown as Record<string, unknown>, options.accessTokenLifetimeMs)
    await publish(event)
  }

  return {
    follow(provider) {
      // A sign-out (RFC 7009 revocation of the refresh token) ends the grant: its access tokens must stop working too.
      provider.on('grant.revoked', (_ctx: unknown, grantId: string) => {
        revokeSession(grantId).catch((err: unknown) => options.log(`identity: could not publish a session revocation: ${(err as Error).message}`))
      })
    },

    feed: {
      subscribe(after, listener) {
        let live = false
        const queued: RevocationEvent[] = []
        const forward = (event: RevocationEvent) => {
          if (!live) queued.push(event)
          else return listener(event)
        }
        listeners.add(forward)
        // The catch-up runs first; what was published meanwhile follows it, in order.
        void (async () => {
          for (const event of liveEvents()) if (event.seq > after) await listener(event)
          live = true
          for (const event of queued.splice(0)) await listener(event)
        })()
        return () => listeners.delete(forward)
      },
    },

    async revokeSubject({tenantId, subject, kind}) {
      let grantsRevoked = 0
      if (kind === 'user') {
        for (const model of SESSION_MODELS) {
          const keys = store.keysWhere(`${model}:`, (p) => p.accountId === subject)
          if (model === 'Grant') grantsRevoked = keys.length
          store.delete(keys)
        }
      }
      const key = subjectKey(tenantId, subject)
      const epoch = Number((store.get(key) as {epoch?: number} | undefined)?.epoch ?? 0) + 1
      const notBefore = new Date().toISOString()
      const event: RevocationEvent = {seq: nextSeq(), type: 'subject', tenantId, subject, epoch, notBefore}
      store.set(key, event as unknown as Record<string, unknown>)
      const enforced = await publish(event)
      return {notBefore, epoch, grantsRevoked, enforced}
    },

    tokenClaims(token, tenantId) {
      const subject = token.accountId ?? token.clientId
      const epoch = tenantId && subject ? Number((store.get(subjectKey(tenantId, subject)) as {epoch?: number} | undefined)?.epoch ?? 0) : 0
      return {...(epoch > 0 ? {[EPOCH_CLAIM]: epoch} : {}), ...(token.grantId ? {[SESSION_CLAIM]: token.grantId} : {})}
    },
  }
}

type ExtraTokenClaims = (ctx: unknown, token: {accountId?: string; clientId?: string; grantId?: string}) => Promise<Record<string, unknown> | undefined>

/** `extraTokenClaims` with the revocation claims added to what `base` says (its `tid` names the subject's tenant). */
export function withRevocationClaims(base: ExtraTokenClaims, revocation: () => SessionRevocation | undefined): ExtraTokenClaims {
  return async (ctx, token) => {
    const claims = await base(ctx, token)
    const r = revocation()
    if (!claims || !r) return claims
    return {...claims, ...r.tokenClaims(token, typeof claims.tid === 'string' ? claims.tid : undefined)}
  }
}
