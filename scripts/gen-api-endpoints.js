#!/usr/bin/env node
// Writes src/lib/platform/endpoints.generated.ts from docs/openapi.yaml: the endpoints `ppctl api` can call, for its help.
import {readFileSync, writeFileSync} from 'node:fs'

import * as prettier from 'prettier'
import {parse} from 'yaml'

const root = new URL('..', import.meta.url)
const spec = parse(readFileSync(new URL('docs/openapi.yaml', root), 'utf8'))
const METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options']

/** The cluster API has no servers of its own (the spec's default); the global service's paths name its host. Identity and gateway paths are not ppctl api's. */
function targetOf(item) {
  const url = item.servers?.[0]?.url
  if (url === undefined) return 'cluster'
  if (/^https:\/\/global\./.test(url)) return 'global'
  return undefined
}

const endpoints = []
for (const [path, item] of Object.entries(spec.paths)) {
  const target = targetOf(item)
  if (!target) continue
  for (const method of METHODS) {
    const op = item[method]
    if (!op) continue
    endpoints.push({target, method: method.toUpperCase(), path, role: op['x-required-role'] ?? 'signed-in', summary: op.summary ?? ''})
  }
}

const source = `// Generated from docs/openapi.yaml by scripts/gen-api-endpoints.js (npm run build): do not edit; scripts/check-generated.js finds it stale.
export interface ApiEndpoint {
  /** cluster: the tenant's home cluster (ppctl api's default); global: the global service (--global). */
  target: 'cluster' | 'global'
  method: string
  path: string
  /** The least role the caller needs (the operation's x-required-role). */
  role: string
  summary: string
}

export const API_ENDPOINTS: readonly ApiEndpoint[] = ${JSON.stringify(endpoints)}
`
const file = new URL('src/lib/platform/endpoints.generated.ts', root)
const options = (await prettier.resolveConfig(file.pathname)) ?? {}
writeFileSync(file, await prettier.format(source, {...options, filepath: file.pathname}))
