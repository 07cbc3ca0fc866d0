// Discovers an OpenID provider (https only) and gives an openid-client Configuration that uses ppctl's HTTP stack.
import type {ClientAuth, Configuration} from 'openid-client'

import type {Context} from '../context.js'
import {UsageError} from '../errors/index.js'
import {customFetchFor} from '../http/custom-fetch.js'
import type {Http} from '../http/types.js'
import {toAuthError} from './oauth-error.js'

/** Checks an authority URL given by a person or the config: https, no credentials, no query or fragment. */
export function parseAuthority(value: string): URL {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new UsageError('INVALID_AUTHORITY', `"${value}" is not a URL.`, {
      nextStep: "Give the provider's issuer URL, e.g. --authority https://login.example.com",
    })
  }
  if (url.protocol !== 'https:') {
    throw new UsageError('INSECURE_AUTHORITY', `The authority must use https, not ${url.protocol.replace(/:$/, '')}.`, {
      nextStep: 'Give an https issuer URL; ppctl never signs in over plain http.',
    })
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new UsageError('INVALID_AUTHORITY', 'The authority must not contain a user name, password, ?query or #fragment.', {
      nextStep: 'Give the bare issuer URL, e.g. https://login.example.com',
    })
  }
  return url
}

export interface DiscoverOptions {
  authority: string
  clientId: string
  /** How the client authenticates at the token endpoint; none (a public client) by default. */
  clientAuth?: ClientAuth
  /** Defaults to the context's HTTP stack. */
  http?: Http
}

/** GET /.well-known/openid-configuration, validated by openid-client (issuer must match, endpoints https). */
export async function discover(ctx: Context, options: DiscoverOptions): Promise<Configuration> {
  const issuer = parseAuthority(options.authority)
  const client = await import('openid-client')
  const http = options.http ?? (await ctx.http())
  try {
    return await client.discovery(issuer, options.clientId, undefined, options.clientAuth ?? client.None(), {
      [client.customFetch]: customFetchFor(http),
      timeout: 30,
    })
  } catch (err) {
    throw toAuthError(err, `Discovery of ${issuer.origin}`)
  }
}
