// The identity's pages: device code entry and confirmation, sign-in, consent, success and errors.
import {html, raw, renderPage, type Html} from './html.js'

const SCOPE_TEXT: Readonly<Record<string, string>> = {
  openid: 'Sign you in and know who you are',
  profile: 'See your name and user name',
  offline_access: 'Stay signed in (keep access while you are away)',
  api: 'Use the platform API on your behalf',
}

export type DeviceCodeProblem = 'code_not_found' | 'code_expired' | 'code_used' | 'no_code' | 'aborted' | 'error'

const DEVICE_CODE_MESSAGES: Readonly<Record<DeviceCodeProblem, string>> = {
  code_not_found: 'That code is not known. Check the code shown on your device and try again.',
  code_expired: 'That code has expired. Start the sign-in on your device again to get a new code.',
  code_used: 'That code has already been used. Start the sign-in on your device again to get a new code.',
  no_code: 'Enter the code shown on your device.',
  aborted: 'The sign-in was cancelled. You can close this page.',
  error: 'The request could not be processed. Start the sign-in on your device again.',
}

export function deviceCodePage(options: {action: string; xsrf: string; userCode?: string; problem?: DeviceCodeProblem}): string {
  const problem = options.problem
  return renderPage({
    page: 'device-code',
    title: 'Sign in on another device',
    error: problem ? {code: problem, message: DEVICE_CODE_MESSAGES[problem]} : undefined,
    body: html`<p>Enter the code your device or terminal shows.</p>
      <form method="post" action="${options.action}">
        <input type="hidden" name="xsrf" value="${options.xsrf}" />
        <label for="user_code">Code</label>
        <input
          type="text"
          id="user_code"
          name="user_code"
          value="${options.userCode ?? ''}"
          autocomplete="off"
          autocapitalize="characters"
          spellcheck="false"
          required
          autofocus
        />
        <button type="submit">Continue</button>
      </form>`,
  })
}

export function deviceConfirmPage(options: {
  action: string
  xsrf: string
  userCode: string
  clientName: string
  requestedFrom?: {ip?: string; userAgent?: string}
}): string {
  const from = options.requestedFrom
  const origin: Html =
    from?.ip || from?.userAgent
      ? html`<p class="muted">Requested from ${from.ip ?? 'an unknown address'}${from.userAgent ? html` (${from.userAgent})` : raw('')}.</p>`
      : raw('')
  return renderPage({
    page: 'device-confirm',
    title: 'Confirm the code',
    body: html`<p><strong>${options.clientName}</strong> asks to sign you in. Check that your device shows this code:</p>
      <p class="code" aria-label="Code">${options.userCode}</p>
      ${origin}
      <p>If you did not start this sign-in, or the code differs, cancel.</p>
      <form method="post" action="${options.action}">
        <input type="hidden" name="xsrf" value="${options.xsrf}" />
        <input type="hidden" name="user_code" value="${options.userCode}" />
        <input type="hidden" name="confirm" value="yes" />
        <button type="submit">Continue</button>
        <button type="submit" class="secondary" name="abort" value="yes">Cancel</button>
      </form>`,
  })
}

export function signInPage(options: {action: string; csrf: string; clientName: string; upn?: string; failed?: boolean}): string {
  return renderPage({
    page: 'sign-in',
    title: 'Sign in',
    error: options.failed ? {code: 'signin_failed', message: 'The user name or password is incorrect. Try again.'} : undefined,
    body: html`<p>Sign in to continue to <strong>${options.clientName}</strong>.</p>
      <form method="post" action="${options.action}">
        <input type="hidden" name="csrf" value="${options.csrf}" />
        <label for="upn">User name</label>
        <input type="email" id="upn" name="upn" value="${options.upn ?? ''}" autocomplete="username" required autofocus />
        <label for="password">Password</label>
        <input type="password" id="password" name="password" autocomplete="current-password" required />
        <button type="submit">Sign in</button>
      </form>`,
  })
}

export function consentPage(options: {action: string; abortAction: string; csrf: string; clientName: string; upn: string; scopes: string[]}): string {
  const items = options.scopes.map((scope) => html`<li><code>${scope}</code>: ${SCOPE_TEXT[scope] ?? 'Access the platform'}</li>`)
  return renderPage({
    page: 'consent',
    title: 'Allow access',
    body: html`<p><strong>${options.clientName}</strong> asks for access as <strong>${options.upn}</strong> to:</p>
      <ul>
        ${items}
      </ul>
      <form method="post" action="${options.action}">
        <input type="hidden" name="csrf" value="${options.csrf}" />
        <button type="submit">Allow</button>
      </form>
      <form method="post" action="${options.abortAction}">
        <input type="hidden" name="csrf" value="${options.csrf}" />
        <button type="submit" class="secondary">Deny</button>
      </form>`,
  })
}

export function successPage(clientName: string): string {
  return renderPage({
    page: 'success',
    title: 'You are signed in',
    body: html`<p>The sign-in with <strong>${clientName}</strong> is complete. You can close this page and return to your device.</p>`,
  })
}

export function errorPage(options: {code: string; message: string; title?: string}): string {
  return renderPage({
    page: 'error',
    title: options.title ?? 'Sign-in error',
    error: {code: options.code, message: options.message},
    body: html`<p>Start the sign-in on your device again. If this keeps happening, restart the local platform.</p>`,
  })
}
