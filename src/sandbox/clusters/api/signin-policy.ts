// The tenant's sign-in policy (the identity provider enforces it): read, and replace with If-Match, audited with before and after.
import {sendJson} from '../../http-util.js'
import {DEFAULT_SIGNIN, parseSignInPolicy, SignInPolicyInputError, type SignInPolicySettings} from '../../signin/policy.js'
import {auditChange, type ApiRoute, type Ctx} from './context.js'
import {checkIfMatch} from './etag.js'
import {readerOf, type Reader} from './governance.js'
import {problem} from './problem.js'
import {readBody} from './request.js'

interface Row {
  doc: string
  updated_by: string
  updated_at: string
  version: number
}

const rowOf = (r: Reader, tenantId: string) => r.get<Row>('SELECT doc, updated_by, updated_at, version FROM signin_policies WHERE tenant_id = ?', tenantId)

function json(row: Row | undefined) {
  const settings: SignInPolicySettings = row ? (JSON.parse(row.doc) as SignInPolicySettings) : DEFAULT_SIGNIN
  return {...settings, configured: row !== undefined, updatedBy: row?.updated_by ?? null, updatedAt: row?.updated_at ?? null, etag: `"${row?.version ?? 0}"`}
}

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
  const actor = ctx.principal.oid ?? ctx.principal.clientId ?? ctx.principal.subject
  return ctx.store.write(ctx.tenantId, (tx) => {
    const row = rowOf(tx, ctx.tenantId)
    checkIfMatch(ctx, row ?? {version: 0}, true, 'sign-in policy')
    const at = new Date().toISOString()
    if (row)
      tx.run(
        'UPDATE signin_policies SET doc = ?, updated_by = ?, updated_at = ?, version = version + 1 WHERE tenant_id = ?',
        JSON.stringify(settings),
        actor,
        at,
        ctx.tenantId,
      )
    else
      tx.run(
        'INSERT INTO signin_policies (tenant_id, doc, updated_by, updated_at, version) VALUES (?, ?, ?, ?, 1)',
        ctx.tenantId,
        JSON.stringify(settings),
        actor,
        at,
      )
    const after = json(rowOf(tx, ctx.tenantId))
    auditChange(ctx, tx, 'signin.policy.updated', {type: 'signInPolicy', id: 'tenant'}, {before: json(row), after})
    return after
  })
}

export const signInPolicyApi: ApiRoute = async (ctx, seg) => {
  if (seg.length !== 2 || seg[1] !== 'signin-policy') return false
  const p = ctx.method === 'PUT' ? await replace(ctx) : json(rowOf(readerOf(ctx.store), ctx.tenantId))
  sendJson(ctx.res, 200, p, {etag: p.etag})
  return true
}
