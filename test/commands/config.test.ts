// `ppctl config list|get|set|unset` through the real built CLI (bin/run.js), with a private config folder.
import {Ajv2020, type ValidateFunction} from 'ajv/dist/2020.js'
import {expect} from 'chai'
import {existsSync, mkdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {join, relative} from 'node:path'

import {makeCliEnv, ROOT, runCli, type CliEnv, type CliResult} from '../helpers/cli.js'

const ajv = new Ajv2020({allErrors: true, strict: true})
const schemas: Record<string, ValidateFunction> = {}
for (const name of ['config-list', 'config-get', 'config-set', 'config-unset', 'error']) {
  schemas[name] = ajv.compile(JSON.parse(readFileSync(join(ROOT, 'schemas', `${name}.json`), 'utf8')))
}

/** Parses --json output and checks it against the committed schema. */
function jsonOf(res: CliResult, schema: string): Record<string, unknown> {
  const value = JSON.parse(res.stdout) as Record<string, unknown>
  const validate = schemas[schema]
  expect(validate(value), `${schema}: ${ajv.errorsText(validate.errors)}\n${res.stdout}`).to.equal(true)
  return value
}

const ANSI_OR_CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/

describe('ppctl config (real CLI)', () => {
  let cli: CliEnv
  let configFile: string
  const run = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli(args, {...cli.env, ...env})

  beforeEach(() => {
    cli = makeCliEnv()
    configFile = join(cli.env.PPCTL_CONFIG_DIR!, 'config.json')
  })
  afterEach(() => cli.cleanup())

  describe('list', () => {
    it('shows every key as unset on a fresh machine, without creating a file', async () => {
      const res = await run(['config', 'list'])
      expect(res.code, res.stderr).to.equal(0)
      // Into a pipe: TSV on stdout, the profile heading on stderr.
      expect(res.stderr).to.equal('Profile: default (not created yet)\n')
      expect(res.stdout.split('\n')[0]).to.equal('Key\tValue\tSource')
      expect((await run(['config', 'list', '-o', 'table'])).stdout).to.contain('Profile: default (not created yet)')
      for (const key of [
        'authority',
        'global-url',
        'ca-file',
        'client-id',
        'tenant',
        'cluster-allow-list',
        'allow-ip-literals',
        'credential-store',
        'default-profile',
      ]) {
        expect(res.stdout).to.match(new RegExp(`^${key}\t\tunset$`, 'm'))
      }
      expect(res.stdout).not.to.match(ANSI_OR_CONTROL)
      expect(existsSync(configFile)).to.equal(false)
    })

    it('--json matches the schema, with values, sources and environment overrides', async () => {
      await run(['config', 'set', 'authority', 'https://login.example.com'])
      await run(['config', 'set', 'cluster-allow-list', '*.clusters.example.com, eu.example.net'])
      const res = await run(['config', 'list', '--json'], {PPCTL_TENANT_ID: 'fabrikam'})
      expect(res.code, res.stderr).to.equal(0)
      const out = jsonOf(res, 'config-list') as {
        profile: string
        profileExists: boolean
        count: number
        items: Array<{key: string; value: unknown; source: string}>
      }
      expect(out.profile).to.equal('default')
      expect(out.profileExists).to.equal(true)
      expect(out.count).to.equal(out.items.length)
      const byKey = Object.fromEntries(out.items.map((k) => [k.key, k]))
      expect(byKey.authority).to.include({value: 'https://login.example.com', source: 'profile'})
      expect(byKey['cluster-allow-list'].value).to.deep.equal(['*.clusters.example.com', 'eu.example.net'])
      expect(byKey.tenant).to.include({value: 'fabrikam', source: 'env'})
      expect(byKey['global-url']).to.include({value: null, source: 'unset'})
    })

    it('PPCTL_GLOBAL_URL and PPCTL_CLUSTER_ALLOW_LIST override global-url and cluster-allow-list, checked like config set', async () => {
      await run(['config', 'set', 'global-url', 'https://global.example.com'])
      await run(['config', 'set', 'cluster-allow-list', '*.clusters.example.com'])
      const env = {PPCTL_GLOBAL_URL: 'https://global.ci.example.net', PPCTL_CLUSTER_ALLOW_LIST: ' *.Clusters.CI.example.net ,eu.ci.example.net'}
      const res = await run(['config', 'list', '--json'], env)
      expect(res.code, res.stderr).to.equal(0)
      const out = jsonOf(res, 'config-list') as {items: Array<{key: string; value: unknown; source: string; env?: string}>}
      const byKey = Object.fromEntries(out.items.map((k) => [k.key, k]))
      expect(byKey['global-url']).to.include({value: 'https://global.ci.example.net', source: 'env', env: 'PPCTL_GLOBAL_URL'})
      expect(byKey['cluster-allow-list']).to.deep.include({
        value: ['*.clusters.ci.example.net', 'eu.ci.example.net'],
        source: 'env',
        env: 'PPCTL_CLUSTER_ALLOW_LIST',
      })
      const get = await run(['config', 'get', 'global-url'], env)
      expect(get.stdout.trim()).to.equal('https://global.ci.example.net')
      const set = await run(['config', 'set', 'global-url', 'https://global2.example.com', '--json'], env)
      expect(jsonOf(set, 'config-set').overriddenBy).to.equal('PPCTL_GLOBAL_URL')
      // The file keeps what config set wrote: the environment overrides, it is never persisted.
      const stored = JSON.parse(readFileSync(configFile, 'utf8')).profiles.default
      expect(stored).to.deep.include({globalUrl: 'https://global2.example.com', clusterAllowList: ['*.clusters.example.com']})
    })

    for (const [variable, value, why] of [
      ['PPCTL_GLOBAL_URL', 'http://global.example.com', 'must use https'],
      ['PPCTL_GLOBAL_URL', 'https://user:pw@global.example.com', 'user name or password'],
      ['PPCTL_CLUSTER_ALLOW_LIST', '*.com', 'too broad'],
      ['PPCTL_CLUSTER_ALLOW_LIST', 'https://clusters.example.com', 'not a host name'],
    ] as const) {
      it(`refuses ${variable}=${JSON.stringify(value)}: a one-line usage error naming the variable (exit 2)`, async () => {
        const res = await run(['config', 'get', 'tenant'], {[variable]: value})
        expect(res.code).to.equal(2)
        const lines = res.stderr.trimEnd().split('\n')
        expect(lines[0]).to.contain(`${variable} is not valid`).and.contain(why)
        expect(lines[1]).to.match(new RegExp(`^\\s*Next: .*${variable}`))
        expect(res.stderr).not.to.contain('pw@')
      })
    }

    it('strips control characters from hand-edited values before printing them', async () => {
      mkdirSync(cli.env.PPCTL_CONFIG_DIR!, {recursive: true, mode: 0o700})
      writeFileSync(configFile, JSON.stringify({version: 1, profiles: {default: {tenant: 'evil\x1b]52;c;AAAA\x07\x1b[2J\u202Etxt'}}}))
      const res = await run(['config', 'list'])
      expect(res.code, res.stderr).to.equal(0)
      expect(res.stdout).to.contain('eviltxt')
      expect(res.stdout).not.to.match(ANSI_OR_CONTROL)
      expect(res.stdout).not.to.contain('\u202E')
    })
  })

  describe('set and get', () => {
    it('creates the profile and writes the file 0600 in a 0700 folder', async () => {
      const res = await run(['config', 'set', 'authority', 'https://login.example.com', '--json'])
      expect(res.code, res.stderr).to.equal(0)
      const out = jsonOf(res, 'config-set')
      expect(out).to.include({profile: 'default', key: 'authority', value: 'https://login.example.com', previous: null, profileCreated: true})
      expect(JSON.parse(readFileSync(configFile, 'utf8')).profiles.default).to.deep.equal({authority: 'https://login.example.com'})
      expect(statSync(configFile).mode & 0o777).to.equal(0o600)
      expect(statSync(cli.env.PPCTL_CONFIG_DIR!).mode & 0o777).to.equal(0o700)

      const get = await run(['config', 'get', 'authority'])
      expect(get.code, get.stderr).to.equal(0)
      expect(get.stdout).to.equal('https://login.example.com\n')
    })

    it('prints a one-line confirmation, and the previous value in --json', async () => {
      const first = await run(['config', 'set', 'tenant', 'contoso'])
      expect(first.code).to.equal(0)
      expect(first.stdout).to.equal('Set tenant to contoso in profile "default" (created).\n')
      const second = await run(['config', 'set', 'tenant', 'fabrikam', '--json'])
      expect(jsonOf(second, 'config-set')).to.include({previous: 'contoso', value: 'fabrikam', profileCreated: false})
    })

    it('get --json matches the schema and tells the source', async () => {
      await run(['config', 'set', 'allow-ip-literals', 'TRUE'])
      const res = await run(['config', 'get', 'allow-ip-literals', '--json'])
      expect(jsonOf(res, 'config-get')).to.deep.equal({profile: 'default', key: 'allow-ip-literals', value: true, source: 'profile'})
      const env = await run(['config', 'get', 'client-id', '--json'], {PPCTL_CLIENT_ID: 'from-env'})
      expect(jsonOf(env, 'config-get')).to.include({value: 'from-env', source: 'env'})
    })

    it('get exits 6 (not found) when the key is unset, with a next step', async () => {
      const res = await run(['config', 'get', 'tenant'])
      expect(res.code).to.equal(6)
      expect(res.stdout).to.equal('')
      expect(res.stderr).to.match(/^Error: tenant is not set in profile "default"\.\n {2}Next: .*ppctl config set tenant/)
      const json = await run(['config', 'get', 'tenant', '--json'])
      expect(json.code).to.equal(6)
      expect(jsonOf(json, 'error')).to.deep.include({
        error: {
          code: 'CONFIG_KEY_UNSET',
          message: 'tenant is not set in profile "default".',
          exitCode: 6,
          nextStep: 'Set it with: ppctl config set tenant <value> --profile default',
        },
      })
    })

    it('get tenant falls back to the tenant of the sign-in; a tenant set in the profile wins over it', async () => {
      // What `auth login` records for a device-code sign-in (tenantId from the tokens' tid; no tenant key).
      const tid = '7b1c9f2e-0000-4000-8000-00000000c0de'
      mkdirSync(cli.env.PPCTL_CONFIG_DIR!, {recursive: true, mode: 0o700})
      writeFileSync(configFile, JSON.stringify({version: 1, profiles: {default: {account: 'megan@contoso.com', tenantId: tid}}}), {mode: 0o600})
      const res = await run(['config', 'get', 'tenant'])
      expect(res.code, res.stderr).to.equal(0)
      expect(res.stdout).to.equal(`${tid}\n`)
      expect(jsonOf(await run(['config', 'get', 'tenant', '--json']), 'config-get')).to.deep.equal({
        profile: 'default',
        key: 'tenant',
        value: tid,
        source: 'sign-in',
      })
      const listed = jsonOf(await run(['config', 'list', '--json']), 'config-list') as {items: {key: string; source: string}[]}
      expect(listed.items.find((i) => i.key === 'tenant')).to.deep.include({source: 'sign-in'})
      await run(['config', 'set', 'tenant', 'contoso'])
      expect(jsonOf(await run(['config', 'get', 'tenant', '--json']), 'config-get')).to.include({value: 'contoso', source: 'profile'})
    })

    it('stores ca-file as an absolute path, and refuses a missing or non-PEM file', async () => {
      const ca = join(cli.home, 'corp-ca.pem')
      writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n')
      const res = await run(['config', 'set', 'ca-file', relative(process.cwd(), ca), '--json'])
      expect(res.code, res.stderr).to.equal(0)
      expect(jsonOf(res, 'config-set').value).to.equal(ca)

      const missing = await run(['config', 'set', 'ca-file', join(cli.home, 'nope.pem')])
      expect(missing.code).to.equal(2)
      expect(missing.stderr).to.contain('does not exist')
      const notPem = join(cli.home, 'notes.txt')
      writeFileSync(notPem, 'hello')
      const bad = await run(['config', 'set', 'ca-file', notPem])
      expect(bad.code).to.equal(2)
      expect(bad.stderr).to.contain('contains no PEM certificate')
      expect(JSON.parse(readFileSync(configFile, 'utf8')).profiles.default.caFile).to.equal(ca)
    })

    const invalid: Array<[string, string, RegExp]> = [
      ['authority', 'http://login.example.com', /must use https/],
      ['authority', 'https://user:secret@login.example.com', /must not contain a user name or password/],
      ['global-url', 'not a url', /is not a URL/],
      ['cluster-allow-list', 'https://x.example.com', /not a host name/],
      ['cluster-allow-list', '*.com', /too broad/],
      ['cluster-allow-list', '10.0.0.1', /IP address/],
      ['allow-ip-literals', 'maybe', /not true or false/],
      ['credential-store', 'plaintext', /not keychain, file or memory/],
      ['tenant', 'has space', /tenant is an id or a name/],
      ['authority', '', /it is empty/],
    ]
    for (const [key, value, message] of invalid) {
      it(`refuses ${key}=${JSON.stringify(value)} with a one-line usage error (exit 2), writing nothing`, async () => {
        const res = await run(['config', 'set', key, value])
        expect(res.code).to.equal(2)
        expect(res.stdout).to.equal('')
        const lines = res.stderr.trimEnd().split('\n')
        expect(lines).to.have.length(2)
        expect(lines[0]).to.match(message)
        expect(lines[1]).to.match(/^ {2}Next: /)
        expect(res.stderr).not.to.contain('secret')
        expect(existsSync(configFile)).to.equal(false)
      })
    }

    it('refuses an unknown key, listing the known keys and a guess (exit 2)', async () => {
      const res = await run(['config', 'set', 'autority', 'https://login.example.com'])
      expect(res.code).to.equal(2)
      expect(res.stderr).to.contain('Unknown configuration key "autority". Did you mean "authority"?')
      expect(res.stderr).to.contain(
        'authority, global-url, ca-file, client-id, tenant, cluster-allow-list, allow-ip-literals, credential-store, dpop, default-profile',
      )
    })

    it('reports a missing argument as a usage error (exit 2)', async () => {
      const res = await run(['config', 'set', 'authority'])
      expect(res.code).to.equal(2)
      expect(res.stderr).to.match(/^Error: ppctl config set needs an argument: <value>\./)
    })

    it('warns on stderr when an environment variable overrides the value just set', async () => {
      const res = await run(['config', 'set', 'authority', 'https://login.example.com'], {PPCTL_AUTHORITY: 'https://other.example.com'})
      expect(res.code).to.equal(0)
      expect(res.stderr).to.contain('PPCTL_AUTHORITY is set in the environment and overrides this value')
      const json = await run(['config', 'set', 'authority', 'https://login.example.com', '--json'], {PPCTL_AUTHORITY: 'https://other.example.com'})
      expect(jsonOf(json, 'config-set').overriddenBy).to.equal('PPCTL_AUTHORITY')
    })
  })

  describe('profiles', () => {
    it('--profile creates another profile; default-profile must name an existing one', async () => {
      const missing = await run(['config', 'set', 'default-profile', 'prod'])
      expect(missing.code).to.equal(6)
      expect(missing.stderr).to.contain('Profile "prod" does not exist')

      expect((await run(['config', 'set', 'global-url', 'https://global.example.com', '--profile', 'prod'])).code).to.equal(0)
      const set = await run(['config', 'set', 'default-profile', 'prod', '--json'])
      expect(jsonOf(set, 'config-set')).to.include({profile: null, key: 'default-profile', value: 'prod'})

      const list = await run(['config', 'list', '--json'])
      const out = jsonOf(list, 'config-list') as {profile: string; items: Array<{key: string; value: unknown; source: string}>}
      expect(out.profile).to.equal('prod')
      expect(out.items.find((k) => k.key === 'global-url')).to.include({value: 'https://global.example.com', source: 'profile'})
      expect(out.items.find((k) => k.key === 'default-profile')).to.include({value: 'prod', source: 'global'})

      const other = await run(['config', 'get', 'global-url'], {PPCTL_PROFILE: 'default'})
      expect(other.code).to.equal(6)
    })

    it('refuses an invalid profile name (exit 2)', async () => {
      const res = await run(['config', 'set', 'tenant', 'contoso', '--profile', '../etc'])
      expect(res.code).to.equal(2)
      expect(res.stderr).to.contain('is not a valid profile name')
    })
  })

  describe('unset', () => {
    it('removes a key; removing it again changes nothing and still succeeds', async () => {
      await run(['config', 'set', 'tenant', 'contoso'])
      await run(['config', 'set', 'client-id', 'ppctl'])
      const res = await run(['config', 'unset', 'tenant', '--json'])
      expect(res.code, res.stderr).to.equal(0)
      expect(jsonOf(res, 'config-unset')).to.include({profile: 'default', key: 'tenant', removed: true, previous: 'contoso'})
      expect(JSON.parse(readFileSync(configFile, 'utf8')).profiles.default).to.deep.equal({clientId: 'ppctl'})
      const again = await run(['config', 'unset', 'tenant'])
      expect(again.code).to.equal(0)
      expect(again.stdout).to.equal('tenant was not set from profile "default"; nothing changed.\n')
      expect(statSync(configFile).mode & 0o777).to.equal(0o600)
    })

    it('exits 6 for a profile that does not exist', async () => {
      const res = await run(['config', 'unset', 'tenant', '--profile', 'ghost', '--json'])
      expect(res.code).to.equal(6)
      expect(jsonOf(res, 'error')).to.have.nested.property('error.code', 'PROFILE_NOT_FOUND')
    })

    it('unsets default-profile', async () => {
      await run(['config', 'set', 'tenant', 'contoso', '--profile', 'prod'])
      await run(['config', 'set', 'default-profile', 'prod'])
      const res = await run(['config', 'unset', 'default-profile', '--json'])
      expect(jsonOf(res, 'config-unset')).to.include({profile: null, removed: true, previous: 'prod'})
      expect(JSON.parse(readFileSync(configFile, 'utf8'))).not.to.have.property('defaultProfile')
    })
  })
})
