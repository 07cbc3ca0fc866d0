// The layers of docs/DESIGN.md are lint rules: a forbidden import fails `npm run lint`, an allowed one does not.
import {expect} from 'chai'
import {join} from 'node:path'

import {ESLint} from 'eslint'

import {ROOT} from '../helpers/cli.js'

/** The messages of the layering rules for `code` as if it were the file at `path` (nothing is written). */
async function layeringErrors(path: string, code: string): Promise<string[]> {
  const [result] = await new ESLint({cwd: ROOT}).lintText(code, {filePath: join(ROOT, path)})
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-syntax').map((m) => m.message)
}

describe('layering enforced by lint', function () {
  this.timeout(60_000)

  it('src/lib may not import @oclif/core, src/cli, src/commands or the server — statically or with import()', async () => {
    expect(await layeringErrors('src/lib/clock.ts', "import {Flags} from '@oclif/core'\nexport {Flags}\n")).to.have.length(1)
    expect(await layeringErrors('src/lib/auth/x.ts', "export {BaseCommand} from '../../cli/base-command.js'\n")).to.have.length(1)
    expect(await layeringErrors('src/lib/auth/x.ts', "export const c = () => import('../../commands/config/get.js')\n")).to.have.length(1)
    expect(await layeringErrors('src/lib/sandbox/x.ts', "export const d = () => import('../../sandbox/daemon.js')\n")).to.have.length(1)
    expect(await layeringErrors('src/lib/audit/detectors/x.ts', "export {TENANTS} from '../../../sandbox/seed.js'\n")).to.have.length(1)
  })

  it('src/lib may import the contract of src/sandbox, and its own src/lib/sandbox', async () => {
    expect(
      await layeringErrors('src/lib/sandbox/x.ts', "export {TENANTS} from '../../sandbox/contract.js'\nexport {statusOf} from './status.js'\n"),
    ).to.deep.equal([])
    expect(await layeringErrors('src/lib/audit/detectors/x.ts', "export const s = () => import('../../sandbox/status.js')\n")).to.deep.equal([])
  })

  it('src/sandbox may not import src/lib, src/cli or src/commands', async () => {
    expect(await layeringErrors('src/sandbox/seed2.ts', "export {systemClock} from '../lib/clock.js'\n")).to.have.length(1)
    expect(await layeringErrors('src/sandbox/gateway/x.ts', "export const b = () => import('../../cli/base-command.js')\n")).to.have.length(1)
  })

  it('credential stores and renderers never import undici or src/lib/http', async () => {
    expect(await layeringErrors('src/lib/credentials/x.ts', "import {fetch} from 'undici'\nexport {fetch}\n")).to.have.length(1)
    expect(await layeringErrors('src/lib/output/x.ts', "export const h = () => import('../http/client.js')\n")).to.have.length(1)
    expect(await layeringErrors('src/lib/routing/x.ts', "export const h = () => import('../http/client.js')\n")).to.deep.equal([])
  })
})
