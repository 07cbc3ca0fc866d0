// The local platform's OpenID provider: oidc-provider with the identity's configuration, state and pages, as one handler.
import type {JsonWebKey} from 'node:crypto'
import type {IncomingMessage, ServerResponse} from 'node:http'
import {join} from 'node:path'

import {Provider} from 'oidc-provider'

import type {AuditSink} from '../audit-sink.js'
import type {Directory} from '../directory.js'
import {createAdapterFactory} from './adapter.js'
import {createIdentityAudit} from './audit.js'
import {buildConfiguration, CLOCK_TOLERANCE_SECONDS} from './configuration.js'
import {createInteractionHandler, INTERACTION_PREFIX} from './interactions.js'
import {ensureIdentityKeys} from './keys.js'
import {JsonFileStore} from './store.js'

export interface IdentityOptions {
  /** `https://login.sandbox.localhost:<port>`: the handler must be served at this origin, over TLS. */
  issuer: string
  dataDir: string
  directory: Directory
  audit: AuditSink
  apiAudience: string
  log?: (line: string) => void
}

export interface Identity {
  handler: (req: IncomingMessage, res: ServerResponse) => void
  /** The public signing keys (what `/jwks` serves), for validating access tokens in-process. */
  publicJwks(): {keys: JsonWebKey[]}
  close(): Promise<void>
}

export async function createIdentity(options: IdentityOptions): Promise<Identity> {
  const log = options.log ?? (() => {})
  const keys = ensureIdentityKeys(options.dataDir)
  const store = new JsonFileStore(join(options.dataDir, 'identity', 'state.json'))
  const adapter = createAdapterFactory(store, options.directory, CLOCK_TOLERANCE_SECONDS)

  const provider = new Provider(options.issuer, buildConfiguration({apiAudience: options.apiAudience, directory: options.directory, keys, adapter}))
  // The gateway's own TLS socket reaches this handler directly (ctx.secure is true), so no proxy headers are trusted.
  provider.proxy = false

  const audit = createIdentityAudit({provider, audit: options.audit, directory: options.directory, log})
  const interactions = createInteractionHandler({provider, directory: options.directory, audit, csrfSecret: keys.cookieKeys[0], log})
  const oidc = provider.callback()

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0]
    if (path.startsWith(INTERACTION_PREFIX)) {
      void interactions(req, res, path)
      return
    }
    oidc(req, res)
  }

  return {
    handler,
    publicJwks: () => structuredClone(keys.publicJwks),
    async close() {
      provider.removeAllListeners()
    },
  }
}
