// oidc-provider's device flow hooks and error renderer, drawing the identity's own pages.
import type {ClientLike, KoaContextWithOIDC} from 'oidc-provider'

import {PAGE_HEADERS} from './html.js'
import {deviceCodePage, deviceConfirmPage, errorPage, successPage, type DeviceCodeProblem} from './pages.js'

type Ctx = KoaContextWithOIDC & {set(headers: Record<string, string>): void}

function send(ctx: Ctx, body: string): void {
  ctx.set({...PAGE_HEADERS})
  ctx.type = 'html'
  ctx.body = body
}

const PROBLEM_OF: Readonly<Record<string, DeviceCodeProblem>> = {
  NotFoundError: 'code_not_found',
  ExpiredError: 'code_expired',
  AlreadyUsedError: 'code_used',
  NoCodeError: 'no_code',
  AbortedError: 'aborted',
}

function xsrfOf(ctx: Ctx): string {
  return ctx.oidc.session?.state?.secret ?? ''
}

function clientNameOf(client: ClientLike | undefined): string {
  return client?.clientName ?? client?.clientId ?? 'An application'
}

export const deviceFlowPages = {
  /** The code entry page, also shown again with the problem when a code is wrong, expired or used. */
  async userCodeInputSource(ctx: Ctx, _form: string, _out?: unknown, err?: {name?: string; userCode?: string}): Promise<void> {
    const problem = err ? (PROBLEM_OF[err.name ?? ''] ?? 'error') : undefined
    send(ctx, deviceCodePage({action: ctx.oidc.urlFor('code_verification'), xsrf: xsrfOf(ctx), userCode: err?.userCode, problem}))
  },

  async userCodeConfirmSource(
    ctx: Ctx,
    _form: string,
    client: ClientLike,
    deviceInfo: {ip?: string; ua?: string} | undefined,
    userCode: string,
  ): Promise<void> {
    send(
      ctx,
      deviceConfirmPage({
        action: ctx.oidc.urlFor('code_verification'),
        xsrf: xsrfOf(ctx),
        userCode,
        clientName: clientNameOf(client),
        requestedFrom: {ip: deviceInfo?.ip, userAgent: deviceInfo?.ua},
      }),
    )
  },

  async successSource(ctx: Ctx): Promise<void> {
    send(ctx, successPage(clientNameOf(ctx.oidc.client)))
  },
}

/** `renderError`: any error oidc-provider answers with HTML (a browser's request). */
export async function renderError(ctx: Ctx, out: {error?: string; error_description?: string}): Promise<void> {
  send(ctx, errorPage({code: out.error ?? 'server_error', message: out.error_description ?? 'The request could not be processed.'}))
}
