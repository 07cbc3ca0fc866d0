// `sandbox approve`: completes a pending device sign-in through the platform's own HTML pages.
import {readFile} from 'node:fs/promises'

import type {Context} from '../context.js'
import {requireRunning} from './lifecycle.js'
import {approveDevice} from './approve-device.js'

export interface ApproveResult {
  upn: string
  approved: true
}

export async function approvePendingSignIn(ctx: Context, options: {dataDir: string; userCode: string; upn: string; password: string}): Promise<ApproveResult> {
  const state = await requireRunning(options.dataDir)
  const {createHttp} = await import('../http/client.js')
  const http = createHttp({env: ctx.env, ca: await readFile(state.caFile, 'utf8'), userAgent: `ppctl/${ctx.version}`, debug: ctx.debug})
  try {
    await approveDevice((input, init) => http.fetch(input as string, init), {
      authority: state.urls.authority,
      userCode: options.userCode,
      upn: options.upn,
      password: options.password,
    })
  } finally {
    await http.close()
  }
  return {upn: options.upn, approved: true}
}
