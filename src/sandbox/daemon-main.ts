// Entry point of the local platform's background process: node daemon-main.js --data-dir DIR --port N
import {rmSync} from 'node:fs'
import {join} from 'node:path'
import {parseArgs} from 'node:util'

import {PID_FILE, runPlatform} from './daemon.js'

const {values} = parseArgs({options: {'data-dir': {type: 'string'}, port: {type: 'string'}}})
const dataDir = values['data-dir']
if (!dataDir) {
  process.stderr.write('usage: daemon.js --data-dir DIR --port N\n')
  process.exit(2)
}
runPlatform(dataDir, Number(values.port ?? 0), (state) => {
  process.send?.({type: 'ready', state})
}).catch((err: NodeJS.ErrnoException) => {
  const reason = err.code === 'EADDRINUSE' ? `port ${values.port} is already in use` : err.message
  // A port in use or a bad setting (INVALID_SETTING) is said in one line; anything else keeps its stack for the log.
  const expected = err.code === 'EADDRINUSE' || err.code === 'INVALID_SETTING'
  process.stderr.write(`${new Date().toISOString()} failed to start: ${reason}\n${expected ? '' : `${err.stack ?? ''}\n`}`)
  rmSync(join(dataDir, PID_FILE), {force: true})
  process.send?.({type: 'failed', reason})
  process.exit(1)
})
