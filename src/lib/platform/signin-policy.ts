// The tenant's sign-in policy (enforced by the identity provider): read, and replace with If-Match.
import type {Context} from '../context.js'

export interface SignInPolicy {
  /** Device-code sign-in refused; no groups = for everyone. */
  blockDeviceCode: {enabled: boolean; groups: string[]}
  /** Sign-in only from these ranges; no groups = for everyone; no ranges = from anywhere. */
  signInRanges: {ranges: string[]; groups: string[]}
  configured: boolean
  updatedBy: string | null
  updatedAt: string | null
  etag: string
}

export type SignInPolicyInput = Pick<SignInPolicy, 'blockDeviceCode' | 'signInRanges'>

export async function getSignInPolicy(ctx: Context): Promise<SignInPolicy> {
  const {body, headers} = await ctx.api().request<SignInPolicy>({path: '/v1/signin-policy', what: 'Reading the sign-in policy'})
  return {...body, etag: headers.get('etag') ?? body.etag}
}

export async function setSignInPolicy(ctx: Context, input: SignInPolicyInput, etag: string): Promise<SignInPolicy> {
  const {body, headers} = await ctx.api().request<SignInPolicy>({
    method: 'PUT',
    path: '/v1/signin-policy',
    body: input,
    headers: {'if-match': etag},
    what: 'Setting the sign-in policy',
  })
  return {...body, etag: headers.get('etag') ?? body.etag}
}
