// The seeded identities of the local platform, with the passwords generated at its first start.
import {readFile} from 'node:fs/promises'
import {join} from 'node:path'

import type {Context} from '../context.js'
import {NotFoundError} from '../errors/index.js'

export interface SandboxUser {
  upn: string
  displayName: string
  tenant: string
  tenantId: string
  roles: string[]
  password: string
}

export async function listSandboxUsers(_ctx: Context, dataDir: string): Promise<SandboxUser[]> {
  let directory: {users: Array<{upn: string; displayName: string; tenantId: string; roles: string[]}>}
  let passwords: Array<{upn: string; password: string}>
  try {
    directory = JSON.parse(await readFile(join(dataDir, 'directory.json'), 'utf8'))
    passwords = JSON.parse(await readFile(join(dataDir, 'passwords.json'), 'utf8'))
  } catch {
    throw new NotFoundError('SANDBOX_NOT_INITIALIZED', `The local platform has no identities yet in ${dataDir}.`, {
      nextStep: 'Start it once to create them: ppctl sandbox start',
    })
  }
  const {TENANTS} = await import('../../sandbox/contract.js')
  return directory.users.map((u) => ({
    upn: u.upn,
    displayName: u.displayName,
    tenant: TENANTS.find((t) => t.id === u.tenantId)?.name ?? 'operator',
    tenantId: u.tenantId,
    roles: u.roles,
    password: passwords.find((p) => p.upn === u.upn)?.password ?? '',
  }))
}
