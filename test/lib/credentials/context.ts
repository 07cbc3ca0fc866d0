// A context for credential tests: the given environment, its paths, and stderr captured in a buffer.
import {PassThrough} from 'node:stream'

import {createContext, type Context} from '../../../src/lib/context.js'
import {resolvePaths} from '../../../src/lib/config/paths.js'

export function testContext(env: NodeJS.ProcessEnv): {ctx: Context; stderr: () => string} {
  const err = new PassThrough()
  let text = ''
  err.on('data', (chunk: Buffer) => (text += chunk.toString()))
  const ctx = createContext({
    version: 'test',
    env,
    paths: resolvePaths(env),
    io: {stdin: new PassThrough(), stdout: new PassThrough(), stderr: err, stdinIsTTY: false, stdoutIsTTY: false, stderrIsTTY: false, columns: 80, color: false},
  })
  return {ctx, stderr: () => text}
}
