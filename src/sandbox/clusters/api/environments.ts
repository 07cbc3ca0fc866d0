// Environments of the tenant (list, read, create, rename or restrict to a security group, delete) and the directory's security groups.
import {sendJson} from '../../http-util.js'
import {auditChange, type ApiRoute, type Ctx} from './context.js'
import {checkIfMatch, etagOf} from './etag.js'
import {
  DEFAULT_ENVIRONMENT_ID,
  environmentJson,
  findEnvironment,
  forgetConnectors,
  policyRows,
  readerOf,
  reconcileFlows,
  type EnvironmentRow,
  type PolicyDoc,
  type Reader,
} from './governance.js'
import {idempotent} from './idempotency.js'
import {decodeCursor, encodeCursor, limitOf} from './paging.js'
import {problem} from './problem.js'
import {readBody} from './request.js'

const ENV_ID = /^[a-z0-9][a-z0-9-]{0,39}$/
const NAME = /^[^\u0000-\u001f\u007f]{1,80}$/u

const bad = (field: string, title: string, detail?: string) => problem(400, 'INVALID_BODY', title, detail, {field})

interface GroupRow {
  id: string
  display_name: string
  description: string
}

function groupJson(r: Reader, tenantId: string, g: GroupRow) {
  const members = r.all<{id: string; upn: string; display_name: string}>(
    'SELECT u.id, u.upn, u.display_name FROM group_members m JOIN users u ON u.tenant_id = m.tenant_id AND u.id = m.user_id WHERE m.tenant_id = ? AND m.group_id = ? ORDER BY u.upn',
    tenantId,
    g.id,
  )
  return {id: g.id, displayName: g.display_name, description: g.description, members: members.map((m) => ({id: m.id, upn: m.upn, displayName: m.display_name}))}
}

function securityGroupOf(r: Reader, tenantId: string, value: unknown, type: string): string | null {
  if (value === undefined || value === null) return null
  if (typeof value !== 'string' || !value) throw bad('securityGroupId', 'securityGroupId must be a group id or null')
  if (type === 'default' || type === 'developer')
    throw problem(
      422,
      'SECURITY_GROUP_NOT_ALLOWED',
      `A ${type} environment cannot be restricted to a security group`,
      'Use a production or sandbox environment.',
      {
        field: 'securityGroupId',
      },
    )
  if (!r.get('SELECT 1 AS one FROM security_groups WHERE tenant_id = ? AND id = ?', tenantId, value))
    throw problem(422, 'GROUP_NOT_FOUND', `No security group ${value} in this tenant`, 'List them with GET /v1/groups.', {
      field: 'securityGroupId',
      securityGroupId: value,
    })
  return value
}

function displayNameOf(v: unknown): string {
  const name = typeof v === 'string' ? v.trim() : ''
  if (!NAME.test(name)) throw bad('displayName', 'displayName is required', '1–80 characters, no control characters.')
  return name
}

function refuseTakenName(r: Reader, tenantId: string, name: string, except?: string): void {
  const other = r.get<{id: string}>('SELECT id FROM environments WHERE tenant_id = ? AND display_name = ? COLLATE NOCASE', tenantId, name)
  if (other && other.id !== except)
    throw problem(409, 'ENVIRONMENT_EXISTS', `An environment named ${name} already exists`, `It is ${other.id}; choose another name.`, {
      environmentId: other.id,
    })
}

const actorId = (ctx: Ctx) => ctx.principal.oid ?? ctx.principal.clientId ?? ctx.principal.subject

export const groupsApi: ApiRoute = async (ctx, seg) => {
  const {method, url, tenantId, res} = ctx
  const [, top, id] = seg
  if (top !== 'groups' || method !== 'GET') return false
  const reader = readerOf(ctx.store)
  if (seg.length === 2) {
    const limit = limitOf(url)
    const after = decodeCursor(url.searchParams.get('cursor')) ?? ''
    const rows = reader.all<GroupRow>('SELECT * FROM security_groups WHERE tenant_id = ? AND id > ? ORDER BY id LIMIT ?', tenantId, after, limit + 1)
    const page = rows.slice(0, limit)
    sendJson(res, 200, {
      items: page.map((g) => groupJson(reader, tenantId, g)),
      nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1].id) : null,
    })
    return true
  }
  if (id && seg.length === 3) {
    const row = reader.get<GroupRow>('SELECT * FROM security_groups WHERE tenant_id = ? AND id = ?', tenantId, id)
    if (!row) throw problem(404, 'GROUP_NOT_FOUND', 'No such security group in this tenant', id)
    sendJson(res, 200, groupJson(reader, tenantId, row))
    return true
  }
  return false
}

export const environmentsApi: ApiRoute = async (ctx, seg) => {
  const {method, url, tenantId, res} = ctx
  const [, top, id] = seg
  if (top !== 'environments') return false
  const reader = readerOf(ctx.store)
  if (seg.length === 2 && method === 'GET') {
    const limit = limitOf(url)
    // The key orders the default environment first, then by name; the id breaks ties.
    const after = decodeCursor(url.searchParams.get('cursor')) ?? ''
    const rows = reader.all<EnvironmentRow & {k: string}>(
      "SELECT *, (CASE is_default WHEN 1 THEN '0' ELSE '1' END) || lower(display_name) || char(0) || id AS k FROM environments WHERE tenant_id = ? AND k > ? ORDER BY k LIMIT ?",
      tenantId,
      after,
      limit + 1,
    )
    const page = rows.slice(0, limit)
    sendJson(res, 200, {items: page.map(environmentJson), nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1].k) : null})
    return true
  }
  if (seg.length === 2 && method === 'POST') {
    const body = await readBody(ctx.req)
    for (const k of Object.keys(body))
      if (!['id', 'displayName', 'type', 'securityGroupId'].includes(k))
        throw bad(k, `${k} is not a field of an environment`, 'Fields: id, displayName, type, securityGroupId.')
    const displayName = displayNameOf(body.displayName)
    if (!['production', 'sandbox', 'developer'].includes(body.type as string))
      throw bad('type', 'type must be production, sandbox or developer', 'Every tenant has its one default environment already.')
    const type = body.type as EnvironmentRow['type']
    if (body.id !== undefined && (typeof body.id !== 'string' || !ENV_ID.test(body.id)))
      throw bad('id', 'id must be 1–40 lowercase letters, digits and -, starting with a letter or digit')
    await idempotent(ctx, body, (tx) => {
      const securityGroupId = securityGroupOf(tx, tenantId, body.securityGroupId, type)
      refuseTakenName(tx, tenantId, displayName)
      let newId = body.id as string | undefined
      if (newId !== undefined) {
        if (tx.get('SELECT 1 AS one FROM environments WHERE tenant_id = ? AND id = ?', tenantId, newId))
          throw problem(409, 'ENVIRONMENT_EXISTS', `An environment ${newId} already exists`, 'Choose another id.', {environmentId: newId})
      } else {
        const base =
          displayName
            .toLowerCase()
            .replace(/[^a-z0-9]+/g, '-')
            .replace(/^-|-$/g, '')
            .slice(0, 36) || 'env'
        newId = base === DEFAULT_ENVIRONMENT_ID ? 'default-2' : base
        for (let n = 2; tx.get('SELECT 1 AS one FROM environments WHERE tenant_id = ? AND id = ?', tenantId, newId); n++) newId = `${base}-${n}`
      }
      const at = new Date().toISOString()
      tx.run(
        'INSERT INTO environments (tenant_id, id, display_name, type, security_group_id, is_default, created_by, created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?, 1)',
        tenantId,
        newId,
        displayName,
        type,
        securityGroupId,
        actorId(ctx),
        at,
        at,
      )
      const env = environmentJson(findEnvironment(tx, tenantId, newId))
      auditChange(ctx, tx, 'environment.created', {type: 'environment', id: newId, displayName}, {after: env})
      return {status: 201, body: env}
    })
    return true
  }
  if (id && seg.length === 3 && method === 'GET') {
    const row = findEnvironment(reader, tenantId, id)
    sendJson(res, 200, environmentJson(row), {etag: etagOf(row)})
    return true
  }
  if (id && seg.length === 3 && method === 'PATCH') {
    const body = await readBody(ctx.req)
    const keys = Object.keys(body)
    if (keys.length === 0) throw bad('displayName', 'Nothing to change', 'Body: {"displayName": …} and/or {"securityGroupId": … or null}.')
    for (const k of keys) if (k !== 'displayName' && k !== 'securityGroupId') throw bad(k, `${k} cannot be changed`, 'Fields: displayName, securityGroupId.')
    const displayName = body.displayName !== undefined ? displayNameOf(body.displayName) : undefined
    const answer = ctx.store.write(tenantId, (tx) => {
      const row = findEnvironment(tx, tenantId, id)
      checkIfMatch(ctx, row, true, 'environment')
      const securityGroupId = 'securityGroupId' in body ? securityGroupOf(tx, tenantId, body.securityGroupId, row.type) : row.security_group_id
      if (displayName !== undefined) refuseTakenName(tx, tenantId, displayName, row.id)
      const before = environmentJson(row)
      if ((displayName ?? row.display_name) === row.display_name && securityGroupId === row.security_group_id)
        return {environment: before, suspended: [], resumed: []}
      tx.run(
        'UPDATE environments SET display_name = ?, security_group_id = ?, updated_at = ?, version = version + 1 WHERE tenant_id = ? AND id = ?',
        displayName ?? row.display_name,
        securityGroupId,
        new Date().toISOString(),
        tenantId,
        row.id,
      )
      const after = environmentJson(findEnvironment(tx, tenantId, row.id))
      auditChange(ctx, tx, 'environment.updated', {type: 'environment', id: row.id, displayName: after.displayName}, {before, after})
      const impact = securityGroupId !== row.security_group_id ? reconcileFlows(ctx, tx, 'environment.updated', row.id) : {suspended: [], resumed: []}
      return {environment: after, ...impact}
    })
    sendJson(res, 200, answer, {etag: answer.environment.etag})
    return true
  }
  if (id && seg.length === 3 && method === 'DELETE') {
    ctx.store.write(tenantId, (tx) => {
      const row = findEnvironment(tx, tenantId, id)
      if (row.is_default === 1)
        throw problem(422, 'DEFAULT_ENVIRONMENT', 'The default environment cannot be deleted', 'Every tenant keeps its one default environment.')
      checkIfMatch(ctx, row, false, 'environment')
      const naming = policyRows(tx, tenantId)
        .filter((p) => (JSON.parse(p.doc) as PolicyDoc).environments.includes(row.id))
        .map((p) => p.id)
      if (naming.length > 0)
        throw problem(409, 'ENVIRONMENT_IN_USE', `DLP policies name environment ${row.id} in their scope`, `Change ${naming.join(', ')} first.`, {
          policyIds: naming,
        })
      const flows = tx.all<{id: string}>('SELECT id FROM flows WHERE tenant_id = ? AND environment_id = ?', tenantId, row.id).map((f) => f.id)
      const connectors = tx.all<{id: string}>('SELECT id FROM connectors WHERE tenant_id = ? AND environment_id = ?', tenantId, row.id).map((c) => c.id)
      tx.run('DELETE FROM flows WHERE tenant_id = ? AND environment_id = ?', tenantId, row.id)
      tx.run("DELETE FROM connectors WHERE tenant_id = ? AND environment_id = ? AND tier = 'custom'", tenantId, row.id)
      tx.run('DELETE FROM environments WHERE tenant_id = ? AND id = ?', tenantId, row.id)
      // Its IP firewall policy goes with it: a new environment of the same id starts from the tenant default.
      tx.run('DELETE FROM firewall_policies WHERE tenant_id = ? AND scope = ?', tenantId, row.id)
      forgetConnectors(ctx, tx, connectors)
      auditChange(
        ctx,
        tx,
        'environment.deleted',
        {type: 'environment', id: row.id, displayName: row.display_name},
        {
          before: environmentJson(row),
          deletedFlows: flows,
          deletedConnectors: connectors,
        },
      )
    })
    res.writeHead(204).end()
    return true
  }
  return false
}
