// The local platform's OpenID provider: oidc-provider with the identity's configuration, state and pages, as one handler.
import type {JsonWebKey} from 'node:crypto'
import type {IncomingMessage, ServerResponse} from 'node:http'
import {join} from 'node:path'

import {Provider} from 'oidc-provider'

import type {AuditSink} from '../audit-sink.js'
import {screenBody} from '../body.js'
import type {Directory} from '../directory.js'
import {decodeSegment} from '../http-util.js'
import {createAdapterFactory} from './adapter.js'
import {createFederation, type IssuerFetch} from './federation.js'
import {createIdentityAudit} from './audit.js'
import {buildConfiguration, CLOCK_TOLERANCE_SECONDS} from './configuration.js'
import {createInteractionHandler, INTERACTION_PREFIX, MAX_FORM_BYTES, sendPage, type SignInPolicyCheck} from './interactions.js'
import {ensureIdentityKeys} from './keys.js'
import {errorPage} from './pages.js'
import {createSessionRevocation, type SessionRevocation} from './session-revocation.js'
import {JsonFileStore} from './store.js'

/** oidc-provider's device verification page (its `code_verification` route). */
const VERIFICATION_PATH = '/device'
/** oidc-provider's token endpoint. */
const TOKEN_PATH = '/token'

export interface IdentityOptions {
  /** `https://login.sandbox.localhost:<port>`: the handler must be served at this origin, over TLS. */
  issuer: string
  dataDir: string
  directory: Directory
  audit: AuditSink
  apiAudience: string
  /** How the identity reaches an external issuer's discovery document and keys (federation). */
  issuerFetch?: IssuerFetch
  log?: (line: string) => void
  /** The tenants' sign-in policies, checked once the user's password is right. */
  signInPolicy?: SignInPolicyCheck
}

export interface Identity {
  handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>
  /** The public signing keys (what `/jwks` serves), for validating access tokens in-process. */
  publicJwks(): {keys: JsonWebKey[]}
  /** Ending sessions, and the feed of "not before" records the gateway follows. */
  sessions: SessionRevocation
  close(): Promise<void>
}

export async function createIdentity(options: IdentityOptions): Promise<Identity> {
  const log = options.log ?? (() => {})
  const keys = ensureIdentityKeys(options.dataDir)
  const store = new JsonFileStore(join(options.dataDir, 'identity', 'state.json'))
  const federation = createFederation({
    issuer: options.issuer,
    directory: options.directory,
    audit: options.audit,
    fetch: options.issuerFetch ?? ((url) => fetch(url, {redirect: 'error'})),
    clockToleranceSeconds: CLOCK_TOLERANCE_SECONDS,
    log,
  })
  const adapter = createAdapterFactory(store, options.directory, CLOCK_TOLERANCE_SECONDS, federation.publicJwk as Record<string, unknown>)

  // An access token lives an hour; the gateway accepts a minute of skew past its expiry.
  const sessions = createSessionRevocation({store, accessTokenLifetimeMs: (60 * 60 + 2 * 60) * 1000, log})
  const provider = new Provider(
    options.issuer,
    buildConfiguration({apiAudience: options.apiAudience, directory: options.directory, keys, adapter, revocation: () => sessions}),
  )
  // The gateway's own TLS socket reaches this handler directly (ctx.secure is true), so no proxy headers are trusted.
  provider.proxy = false

  sessions.follow(provider)
  const audit = createIdentityAudit({provider, audit: options.audit, directory: options.directory, log, federated: federation.matchOf})
  const interactions = createInteractionHandler({
    provider,
    directory: options.directory,
    audit,
    csrfSecret: keys.cookieKeys[0],
    log,
    ...(options.signInPolicy ? {signInPolicy: options.signInPolicy} : {}),
  })
  const oidc = provider.callback()

  const failed = (res: ServerResponse, err: unknown) => {
    log(`identity: request failed: ${(err as Error).message}`)
    if (!res.headersSent) sendPage(res, 500, errorPage({code: 'server_error', message: 'Something went wrong on the identity provider.'}))
    else res.destroy()
  }

  // oidc-provider answers a device page form it cannot parse (too long, wrong type) with a bare 500: it is refused here first.
  const screenDeviceForm = async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const rejection = await screenBody(req, {types: ['application/x-www-form-urlencoded'], limit: MAX_FORM_BYTES})
    if (!rejection) return false
    const message = rejection.status === 413 ? 'The form is too large.' : 'The form must be sent as application/x-www-form-urlencoded, with a Content-Length.'
    sendPage(res, rejection.status, errorPage({code: rejection.status === 413 ? 'form_too_large' : 'invalid_form', message}), rejection.headers)
    return true
  }

  const handler = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      const path = (req.url ?? '/').split('?')[0]
      // oidc-provider's router answers a path it cannot percent-decode (/device/%zz) with a bare 500.
      if (path.split('/').some((segment) => decodeSegment(segment) === undefined)) {
        sendPage(res, 400, errorPage({code: 'invalid_request', message: 'The address has a malformed percent-encoding.'}))
        return
      }
      if (path.startsWith(INTERACTION_PREFIX)) {
        await interactions(req, res, path)
        return
      }
      if (req.method === 'POST' && path === VERIFICATION_PATH && (await screenDeviceForm(req, res))) return
      if (req.method === 'POST' && path === TOKEN_PATH) {
        // Read once here (a federated assertion is verified and re-signed); oidc-provider reads the replayed body itself.
        const prepared = await federation.prepare(req, res)
        if (prepared) await oidc(prepared, res)
        return
      }
      await oidc(req, res)
    } catch (err) {
      failed(res, err)
    }
  }

  return {
    handler,
    publicJwks: () => structuredClone(keys.publicJwks),
    sessions,
    async close() {
      provider.removeAllListeners()
    },
  }
}
