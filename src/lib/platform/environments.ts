// Environments of the signed-in tenant (list, show, create, delete) and its security groups.
import {randomUUID} from 'node:crypto'

import type {Context} from '../context.js'
import type {NotFoundHint} from './client.js'

export type EnvironmentType = 'default' | 'production' | 'sandbox' | 'developer'

export interface Environment {
  id: string
  displayName: string
  type: EnvironmentType
  isDefault: boolean
  /** Only members of this group may use the environment. */
  securityGroupId: string | null
  createdBy: string
  createdAt: string
  updatedAt: string
  etag: string
}

export interface SecurityGroupMember {
  id: string
  upn: string
  displayName: string
}

export interface SecurityGroup {
  id: string
  displayName: string
  description: string
  members: SecurityGroupMember[]
}

const environmentNotFound = (id: string): NotFoundHint => ({kind: 'environment', id, nextStep: 'See them all: ppctl env list'})

const path = (id: string) => `/v1/environments/${encodeURIComponent(id)}`

export function listEnvironments(ctx: Context): AsyncGenerator<Environment> {
  return ctx.api().list<Environment>({path: '/v1/environments', what: 'Listing environments'}, 200)
}

/** By id or display name (the platform accepts both; `default` is the default environment). */
export async function getEnvironment(ctx: Context, id: string): Promise<Environment> {
  const {body, headers} = await ctx
    .api()
    .request<Environment>({path: path(id), what: `Reading environment ${id}`, notFound: {ENVIRONMENT_NOT_FOUND: environmentNotFound(id)}})
  return {...body, etag: headers.get('etag') ?? body.etag}
}

export interface EnvironmentCreate {
  displayName: string
  type: Exclude<EnvironmentType, 'default'>
  id?: string
  securityGroupId?: string
}

export async function createEnvironment(ctx: Context, input: EnvironmentCreate): Promise<Environment> {
  const {body, headers} = await ctx.api().request<Environment>({
    method: 'POST',
    path: '/v1/environments',
    body: input,
    headers: {'idempotency-key': randomUUID()},
    what: `Creating environment "${input.displayName}"`,
  })
  return {...body, etag: headers.get('etag') ?? body.etag}
}

/** Deletes it against the ETag it was read with, so what was confirmed is what is deleted. */
export async function deleteEnvironment(ctx: Context, env: Environment): Promise<void> {
  await ctx.api().request({
    method: 'DELETE',
    path: path(env.id),
    headers: {'if-match': env.etag},
    what: `Deleting environment ${env.id}`,
    notFound: {ENVIRONMENT_NOT_FOUND: environmentNotFound(env.id)},
  })
}

export function listSecurityGroups(ctx: Context): AsyncGenerator<SecurityGroup> {
  return ctx.api().list<SecurityGroup>({path: '/v1/groups', what: 'Listing security groups'}, 200)
}
