// A tenant-wide settings document (the sign-in policy, the isolation policy): one JSON row per tenant in its own
// table, read with its defaults when never set, replaced with If-Match and audited with before and after.
import {auditChange, type Ctx} from './context.js'
import {checkIfMatch} from './etag.js'
import type {Reader} from './governance.js'

interface Row {
  doc: string
  updated_by: string
  updated_at: string
  version: number
}

export interface TenantSettingsDoc<S> {
  /** The table: (tenant_id PRIMARY KEY, doc, updated_by, updated_at, version). */
  table: 'signin_policies' | 'isolation_policies'
  defaults: S
  /** For If-Match refusals: "sign-in policy". */
  what: string
  /** The audit action and target of a replacement. */
  action: string
  target: {type: string; id: string}
}

export function tenantSettings<S extends object>(doc: TenantSettingsDoc<S>) {
  const rowOf = (r: Reader, tenantId: string) => r.get<Row>(`SELECT doc, updated_by, updated_at, version FROM ${doc.table} WHERE tenant_id = ?`, tenantId)
  const settingsOf = (row: Row | undefined): S => (row ? (JSON.parse(row.doc) as S) : doc.defaults)
  const json = (row: Row | undefined) => ({
    ...settingsOf(row),
    configured: row !== undefined,
    updatedBy: row?.updated_by ?? null,
    updatedAt: row?.updated_at ?? null,
    etag: `"${row?.version ?? 0}"`,
  })
  return {
    /** The tenant's settings as its data holds them (the defaults when never set). */
    read: (r: Reader, tenantId: string): S => settingsOf(rowOf(r, tenantId)),
    /** The answer of GET: the settings, whether they were ever set, who set them, and the ETag. */
    answer: (r: Reader, tenantId: string) => json(rowOf(r, tenantId)),
    /** PUT: the settings (already checked) replace the tenant's, If-Match required ("0" before any), audited. */
    replace(ctx: Ctx, settings: S) {
      const actor = ctx.principal.oid ?? ctx.principal.clientId ?? ctx.principal.subject
      return ctx.store.write(ctx.tenantId, (tx) => {
        const row = rowOf(tx, ctx.tenantId)
        checkIfMatch(ctx, row ?? {version: 0}, true, doc.what)
        const at = new Date().toISOString()
        if (row)
          tx.run(
            `UPDATE ${doc.table} SET doc = ?, updated_by = ?, updated_at = ?, version = version + 1 WHERE tenant_id = ?`,
            JSON.stringify(settings),
            actor,
            at,
            ctx.tenantId,
          )
        else
          tx.run(
            `INSERT INTO ${doc.table} (tenant_id, doc, updated_by, updated_at, version) VALUES (?, ?, ?, ?, 1)`,
            ctx.tenantId,
            JSON.stringify(settings),
            actor,
            at,
          )
        const after = json(rowOf(tx, ctx.tenantId))
        auditChange(ctx, tx, doc.action, doc.target, {before: json(row), after})
        return after
      })
    },
  }
}
