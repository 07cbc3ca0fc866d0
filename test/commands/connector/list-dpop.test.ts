// `ppctl connector list` in-process with a DPoP-bound sign-in: the request carries a proof, a nonce challenge is followed once, a refused proof exits 4.
import {expect} from 'chai'

import {decodeJwt, decodeProtectedHeader} from 'jose'
import nock from 'nock'

import ConnectorList from '../../../src/commands/connector/list.js'
import {newDpopKey} from '../../../src/lib/auth/dpop.js'
import {runCommand} from '../../helpers/command.js'
import {connector} from '../../helpers/connector-fixtures.js'
import {fakePlatform, problem, type FakePlatform} from '../../helpers/fake-platform.js'

/** The fake platform's home cluster, without its scope's Bearer header matcher: here the token goes as DPoP. */
const CLUSTER = 'https://eastus-1.clusters.example.com'

describe('connector list with a DPoP-bound sign-in (in-process)', () => {
  let p: FakePlatform
  afterEach(() => p.done())

  async function dpopPlatform(): Promise<FakePlatform> {
    const platform = await fakePlatform()
    const key = await newDpopKey()
    const creds = platform.credentials.entries.get('work')!
    platform.credentials.entries.set('work', {...creds, dpopKey: key.jwk})
    return platform
  }

  it('sends Authorization: DPoP with a proof, and answers a nonce challenge once with a new proof carrying the nonce', async () => {
    p = await dpopPlatform()
    const seen: Array<{authorization: string; dpop: string}> = []
    const record = function (this: {req: {headers: Record<string, string>}}) {
      seen.push({authorization: this.req.headers.authorization, dpop: this.req.headers.dpop})
    }
    nock(CLUSTER)
      .get('/v1/connectors')
      .query(true)
      .reply(function () {
        record.call(this as never)
        return [
          401,
          {code: 'USE_DPOP_NONCE', detail: 'the DPoP-proof must carry the gateway nonce'},
          {'www-authenticate': 'DPoP algs="ES256", error="use_dpop_nonce"', 'dpop-nonce': 'n-1', 'content-type': 'application/problem+json'},
        ]
      })
      .get('/v1/connectors')
      .query(true)
      .reply(function () {
        record.call(this as never)
        return [200, {items: [connector('shared_sql')]}]
      })
    const res = await runCommand(ConnectorList, ['--json'], p)
    expect(res.code, res.stderr + res.stdout).to.equal(0)
    expect(seen).to.have.length(2)
    for (const s of seen) {
      expect(s.authorization).to.equal('DPoP test-access-token')
      expect(decodeProtectedHeader(s.dpop)).to.include({typ: 'dpop+jwt', alg: 'ES256'})
    }
    const [first, second] = seen.map((s) => decodeJwt(s.dpop))
    expect(first).to.include({htm: 'GET'})
    expect(first).not.to.have.property('nonce')
    expect(second).to.include({htm: 'GET', nonce: 'n-1'})
    expect(second.jti).not.to.equal(first.jti)
  })

  it('a refused proof: exit 4 with the platform code, and a next step that names the clock before a new sign-in', async () => {
    p = await dpopPlatform()
    nock(CLUSTER)
      .matchHeader('authorization', 'DPoP test-access-token')
      .get('/v1/connectors')
      .query(true)
      .reply(...problem(401, 'INVALID_DPOP_PROOF', 'the DPoP-proof is too old or from the future (iat)', 'corr-dpop'))
    const res = await runCommand(ConnectorList, ['--json'], p)
    expect(res.code, res.stdout).to.equal(4)
    const error = res.json<{error: {code: string; nextStep: string; correlationId: string}}>().error
    expect(error).to.include({code: 'INVALID_DPOP_PROOF', correlationId: 'corr-dpop'})
    expect(error.nextStep).to.match(/clock/)
  })
})
