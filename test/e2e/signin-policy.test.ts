// Sign-in policies against a real platform: device-code sign-in blocked → refused at the identity (access_denied), audited, and explained by ppctl with what to use instead; a certificate sign-in still works.
import {expect} from 'chai'
import {join} from 'node:path'

import {runCli} from '../helpers/cli.js'
import {errorOf, jsonOf, startAdminWorld, type AdminWorld} from '../helpers/admin-world.js'
import {deviceLogin, machine} from '../helpers/sign-in.js'

describe('ppctl signin-policy (real CLI, real platform)', function () {
  // A platform, sign-ins and some ten CLI runs on a loaded machine: a limit, not a threshold.
  this.timeout(300_000)
  let w: AdminWorld

  before(async () => {
    w = await startAdminWorld(['admin'])
  })
  after(async () => w?.stop())

  it('device-code blocked for everyone: a device sign-in is refused (exit 5, the policy named, --web suggested) and audited; a certificate still signs in', async () => {
    const set = await w.run('admin', 'signin-policy', 'set', '--block-device-code', '--json')
    expect(set.code, set.stderr).to.equal(0)
    expect(jsonOf<{blockDeviceCode: {enabled: boolean; groups: string[]}}>(set, 'signin-policy-set').blockDeviceCode).to.deep.equal({enabled: true, groups: []})

    const m = await machine(w.platform)
    try {
      // The approval's password is right, but the policy ends the interaction: the approval does not go through.
      const login = await deviceLogin(m.env, [], async (device) => {
        const password = w.platform.users.find((u) => u.upn === 'maker@contoso.example')!.password
        const approved = await runCli(
          ['sandbox', 'approve', device.userCode, '--user', 'maker@contoso.example', '--data-dir', w.platform.dataDir],
          w.platform.cli.env,
          `${password}\n`,
        )
        expect(approved.code, approved.stderr).to.not.equal(0)
      })
      expect(login.code, login.stderr).to.equal(5)
      const error = errorOf({code: login.code, stdout: login.stdout, stderr: login.stderr})
      expect(error.code).to.equal('SIGNIN_POLICY_REFUSED')
      expect(error.message).to.contain("Device-code sign-in is blocked by the tenant's sign-in policy (for everyone)")
      expect(login.stdout).to.contain('ppctl auth login --web')
    } finally {
      m.cleanup()
    }

    const audit = JSON.parse((await w.run('admin', 'api', '/v1/audit/events?action=signin&result=failed&limit=500')).stdout) as {
      items: Array<{actor: {upn?: string}; details?: {reason?: string; rule?: string}}>
    }
    expect(
      audit.items.some((e) => e.actor.upn === 'maker@contoso.example' && e.details?.reason === 'sign-in policy' && e.details.rule === 'blockDeviceCode'),
    ).to.equal(true)

    // A certificate (client credentials) is not a device-code sign-in: it still works.
    const created = await runCli(
      [
        'sandbox',
        'sp',
        'create',
        '--tenant',
        'contoso',
        '--name',
        'policy-e2e',
        '--out',
        join(w.platform.cli.home, 'sp-policy'),
        '--data-dir',
        w.platform.dataDir,
        '--json',
      ],
      w.platform.cli.env,
      'pfx-pass\n',
    )
    expect(created.code, created.stderr).to.equal(0)
    const sp = JSON.parse(created.stdout) as {clientId: string; pemFile: string}
    const c = await machine(w.platform)
    try {
      const cert = await runCli(
        [
          'auth',
          'login',
          '--profile',
          'ci',
          '--authority',
          w.platform.urls.authority,
          '--certificate',
          sp.pemFile,
          '--client-id',
          sp.clientId,
          '--tenant',
          'contoso',
          '--json',
        ],
        {
          ...c.env,
          PPCTL_CA_FILE: (JSON.parse((await runCli(['sandbox', 'status', '--data-dir', w.platform.dataDir, '--json'], c.env)).stdout) as {caFile: string})
            .caFile,
        },
      )
      expect(cert.code, cert.stderr).to.equal(0)
    } finally {
      c.cleanup()
    }

    const off = await w.run('admin', 'signin-policy', 'set', '--no-block-device-code')
    expect(off.code, off.stderr).to.equal(0)
    expect(off.stdout.split('\n')[1].split('\t')[0]).to.equal('allowed')
  })
})
