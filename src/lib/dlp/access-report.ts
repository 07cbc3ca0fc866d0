// "Who can do what": each user's roles and licences, the environments whose security groups admit them, and the DLP policies in force there.
import type {Context} from '../context.js'
import {listPolicies} from '../platform/dlp.js'
import {getEnvironment, listEnvironments, listSecurityGroups, type Environment} from '../platform/environments.js'
import {userLicenses} from '../platform/licenses.js'
import {listUsers} from '../platform/users.js'

export interface AccessReportRow {
  upn: string
  displayName: string
  roles: string[]
  /** SKU ids the user holds. */
  licenses: string[]
  /** Whether a licence grants premium (and custom) connectors in apps. */
  premium: boolean
  environmentId: string
  environmentName: string
  /** How the user is admitted: the environment has no security group, or the user is a member of it. */
  admittedBy: 'no-security-group' | 'security-group-member'
  securityGroupId: string | null
  /** The DLP policies that apply to the environment (ids). */
  policies: string[]
  policyNames: string[]
}

/** Runs fn on every item, `limit` at a time, keeping the order. */
async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length)
  let next = 0
  await Promise.all(
    Array.from({length: Math.min(limit, items.length)}, async () => {
      while (next < items.length) {
        const i = next++
        out[i] = await fn(items[i])
      }
    }),
  )
  return out
}

const collect = async <T>(gen: AsyncIterable<T>) => {
  const items: T[] = []
  for await (const item of gen) items.push(item)
  return items
}

/** One row per user and environment that admits them, users by UPN, environments as the platform orders them. */
export async function accessReport(ctx: Context, environment?: string): Promise<AccessReportRow[]> {
  const [users, envs, groups] = await Promise.all([
    collect(listUsers(ctx)),
    environment ? getEnvironment(ctx, environment).then((e): Environment[] => [e]) : collect(listEnvironments(ctx)),
    collect(listSecurityGroups(ctx)),
  ])
  const members = new Map(groups.map((g) => [g.id, new Set(g.members.flatMap((m) => [m.id, m.upn.toLowerCase()]))]))
  const [licences, policies] = await Promise.all([
    mapLimited(users, 8, (u) => userLicenses(ctx, u.upn)),
    mapLimited(envs, 8, (e) => collect(listPolicies(ctx, e.id))),
  ])
  const rows: AccessReportRow[] = []
  const order = users.map((u, i) => ({u, held: licences[i].items})).sort((a, b) => (a.u.upn < b.u.upn ? -1 : a.u.upn > b.u.upn ? 1 : 0))
  for (const {u, held} of order) {
    envs.forEach((e, i) => {
      const group = e.securityGroupId
      const admitted = !group || (members.get(group)?.has(u.id) ?? false) || (members.get(group)?.has(u.upn.toLowerCase()) ?? false)
      if (!admitted) return
      rows.push({
        upn: u.upn,
        displayName: u.displayName,
        roles: u.roles,
        licenses: held.map((l) => l.skuId),
        premium: held.some((l) => l.grantsPremium),
        environmentId: e.id,
        environmentName: e.displayName,
        admittedBy: group ? 'security-group-member' : 'no-security-group',
        securityGroupId: group,
        policies: policies[i].map((p) => p.id),
        policyNames: policies[i].map((p) => p.displayName),
      })
    })
  }
  return rows
}
