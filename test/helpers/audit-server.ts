// An in-process audit API over plain HTTP with an in-memory store, and a raw client that can cut a stream anywhere.
import {createServer, request, type IncomingMessage, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'

import {MemoryAuditReader} from '../../src/sandbox/audit/memory-reader.js'
import {createAuditRoutes, type AuditRoutesOptions} from '../../src/sandbox/audit/routes.js'
import type {AuditInput} from '../../src/sandbox/audit-sink.js'
import type {Principal} from '../../src/sandbox/gateway/verify-token.js'
import {sendProblem} from '../../src/sandbox/http-util.js'

export const TENANT = '2f6e1c7a-0c1d-4b8e-9a57-5d3c1f00c0a1'
export const OTHER_TENANT = '7b2d9e44-6f3a-4c1b-8e2d-9a0f1b00fab2'

export interface AuditServer {
  base: string
  reader: MemoryAuditReader
  close(): Promise<void>
}

export async function startAuditServer(options: Omit<AuditRoutesOptions<MemoryAuditReader>, 'readerOf'> = {}): Promise<AuditServer> {
  const reader = new MemoryAuditReader()
  const routes = createAuditRoutes<MemoryAuditReader>({...options, readerOf: (_id, cluster) => cluster})
  const server: Server = createServer((req, res) => {
    const rc = {correlationId: 'test-correlation', traceId: '0'.repeat(32)}
    const principal: Principal = {
      tenantId: String(req.headers['x-test-tenant'] ?? TENANT),
      subject: 'admin',
      roles: String(req.headers['x-test-roles'] ?? 'Admin').split(','),
      kind: 'user',
      rateKey: 'k',
      expiresAt: 0,
    }
    if (!routes('eastus-1', req, res, rc, principal, reader)) sendProblem(res, rc, {status: 404, code: 'NOT_FOUND', title: 'not found'})
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as AddressInfo
  return {
    base: `http://127.0.0.1:${port}`,
    reader,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

let counter = 0
export function event(overrides: Partial<AuditInput> = {}): AuditInput {
  counter++
  return {
    tenantId: TENANT,
    action: counter % 3 === 0 ? 'signin.failed' : counter % 3 === 1 ? 'signin.succeeded' : 'connector.block',
    result: counter % 3 === 0 ? 'failed' : 'succeeded',
    actor: {type: 'user', id: `oid-${counter % 2}`, upn: counter % 2 ? 'admin@contoso.example' : 'maker@contoso.example'},
    target: {type: 'connector', id: 'shared_sql'},
    correlationId: `c-${counter}`,
    details: {n: counter},
    ...overrides,
  }
}

export function getJson(
  url: string,
  headers: Record<string, string> = {},
): Promise<{status: number; headers: IncomingMessage['headers']; body: Record<string, unknown>}> {
  return new Promise((resolve, reject) => {
    request(url, {headers}, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({status: res.statusCode ?? 0, headers: res.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8'))}))
    })
      .on('error', reject)
      .end()
  })
}

/** Opens a stream; `onData` sees each chunk as it arrives and may destroy the response. */
export function openStream(url: string, headers: Record<string, string> = {}): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    request(url, {headers}, resolve).on('error', reject).end()
  })
}
