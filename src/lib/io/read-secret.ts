// Reads a secret from a pipe on stdin or from a prompt at a terminal; never from a flag.
import type {Context} from '../context.js'
import {UsageError} from '../errors/index.js'

/** All of stdin, without the trailing newline (for `echo pw | ppctl ...`). */
async function readStdinLine(stdin: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer))
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '')
}

/** At a terminal: a hidden prompt. Otherwise: the first line of stdin, which must not be empty. */
export async function readSecret(ctx: Context, what: string, how: string): Promise<string> {
  const value = ctx.io.stdinIsTTY ? await ctx.prompter.password(`${what}:`, how) : await readStdinLine(ctx.io.stdin)
  if (!value) {
    throw new UsageError('SECRET_REQUIRED', `No ${what.toLowerCase()} was given.`, {nextStep: how})
  }
  return value
}
