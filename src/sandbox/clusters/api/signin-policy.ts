// The tenant's sign-in policy (the identity provider enforces it): read, and replace with If-Match, audited with before and after.
import {sendJson} from '../../http-util.js'
import {DEFAULT_SIGNIN, parseSignInPolicy, SignInPolicyInputError, type SignInPolicySettings} from '../../signin/policy.js'
import type {ApiRoute, Ctx} from './context.js'
import {readerOf} from './governance.js'
import {problem} from './problem.js'
import {readBody} from './request.js'
import {tenantSettings} from './tenant-settings.js'

const doc = tenantSettings<SignInPolicySettings>({
  table: 'signin_policies',
  defaults: DEFAULT_SIGNIN,
  what: 'sign-in policy',
  action: 'signin.policy.updated',
  target: {type: 'signInPolicy', id: 'tenant'},
})

async function replace(ctx: Ctx) {
  const body = await readBody(ctx.req)
  let settings: SignInPolicySettings
  try {
    settings = parseSignInPolicy(body)
  } catch (err) {
    if (err instanceof SignInPolicyInputError) throw problem(400, 'INVALID_SIGNIN_POLICY', 'The sign-in policy is not valid', err.message, {field: err.field})
    throw err
  }
  const r = readerOf(ctx.store)
  for (const g of [...settings.blockDeviceCode.groups, ...settings.signInRanges.groups]) {
    if (!r.get('SELECT 1 AS one FROM security_groups WHERE tenant_id = ? AND id = ?', ctx.tenantId, g))
      throw problem(422, 'GROUP_NOT_FOUND', `No security group ${g} in this tenant`, 'List them with GET /v1/groups.', {groupId: g})
  }
  return doc.replace(ctx, settings)
}

export const signInPolicyApi: ApiRoute = async (ctx, seg) => {
  if (seg.length !== 2 || seg[1] !== 'signin-policy') return false
  const p = ctx.method === 'PUT' ? await replace(ctx) : doc.answer(readerOf(ctx.store), ctx.tenantId)
  sendJson(ctx.res, 200, p, {etag: p.etag})
  return true
}
