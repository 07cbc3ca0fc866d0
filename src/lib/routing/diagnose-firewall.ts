// route diagnose's firewall hop: what the tenant's IP firewall makes of this machine's address (off, allowed, would-block in audit-only mode, or blocked).
import {performance} from 'node:perf_hooks'

import {PpctlError} from '../errors/index.js'
import type {Http, RequestAuth} from '../http/types.js'
import {sanitizeOneLine} from '../output/sanitize.js'
import {causeOf, hop, type Hop} from './diagnose-hop.js'

interface SelfAnswer {
  enabled?: boolean
  auditOnly?: boolean
  rangeCount?: number
  outcome?: string
  clientIp?: string | null
  reason?: string
  code?: string
  detail?: string
}

const TITLE = 'IP firewall'
const NEXT_STEP = 'Connect from an allowed network, or ask an administrator of the tenant to allow your address (ppctl firewall test --ip <address>).'

/** The firewall hop of a request that was refused before it (the global service's): FAIL when the firewall refused it, else undefined. */
export function firewallHopOf(err: unknown): Hop | undefined {
  if (!(err instanceof PpctlError) || err.code !== 'IP_BLOCKED') return undefined
  return hop({id: 'firewall', title: TITLE, verdict: 'FAIL', ms: 0, summary: 'blocked', ...causeOf(err), details: {code: 'IP_BLOCKED'}})
}

export async function diagnoseFirewall(http: Http, homeUri: string, auth: RequestAuth): Promise<Hop> {
  const started = performance.now()
  try {
    const res = await http.fetch(new URL('v1/firewall/self', homeUri.endsWith('/') ? homeUri : `${homeUri}/`), {
      headers: {accept: 'application/json'},
      auth,
      retries: false,
    })
    const ms = Math.round(performance.now() - started)
    const body = (await res.json().catch(() => ({}))) as SelfAnswer
    const ip = sanitizeOneLine(String(body.clientIp ?? 'unknown'))
    if (res.status === 403 && body.code === 'IP_BLOCKED') {
      return hop({
        id: 'firewall',
        title: TITLE,
        verdict: 'FAIL',
        ms,
        summary: `blocked: ${ip}`,
        cause: sanitizeOneLine(body.detail ?? `blocked by the IP firewall: your address ${ip} is not in the allowed ranges`),
        nextStep: NEXT_STEP,
        code: 'IP_BLOCKED',
        details: {status: 403, clientIp: body.clientIp ?? null},
      })
    }
    if (!res.ok) {
      return hop({
        id: 'firewall',
        title: TITLE,
        verdict: 'SKIP',
        ms,
        summary: `not readable (HTTP ${res.status}${body.code ? ` ${sanitizeOneLine(body.code)}` : ''})`,
        details: {status: res.status},
      })
    }
    const details = {
      status: 200,
      enabled: body.enabled ?? null,
      auditOnly: body.auditOnly ?? null,
      rangeCount: body.rangeCount ?? null,
      clientIp: body.clientIp ?? null,
      outcome: body.outcome ?? null,
    }
    if (!body.enabled) return hop({id: 'firewall', title: TITLE, verdict: 'OK', ms, summary: `off; your address ${ip}`, details})
    if (body.outcome === 'would-block') {
      return hop({
        id: 'firewall',
        title: TITLE,
        verdict: 'WARN',
        ms,
        summary: `audit-only: your address ${ip} would be blocked`,
        cause: `The firewall is in audit-only mode and ${ip} is not in its ${body.rangeCount ?? 0} allowed range(s): enforcing it would block this machine.`,
        nextStep: 'Ask an administrator to add your address before the firewall is enforced.',
        details,
      })
    }
    return hop({
      id: 'firewall',
      title: TITLE,
      verdict: 'OK',
      ms,
      summary: `${body.auditOnly ? 'audit-only' : 'enforced'}; your address ${ip} is allowed (${sanitizeOneLine(body.reason ?? '')})`,
      details,
    })
  } catch (err) {
    const c = causeOf(err)
    return hop({
      id: 'firewall',
      title: TITLE,
      verdict: 'SKIP',
      ms: Math.round(performance.now() - started),
      summary: `no answer (${c.code ?? 'error'})`,
      cause: c.cause,
      details: {},
    })
  }
}
