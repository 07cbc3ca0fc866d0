// schemas/dlp-policies.json, generated from DlpPoliciesFile: valid JSON Schema, and it agrees with dlp validate on what a file may hold.
import {Ajv2020} from 'ajv/dist/2020.js'
import {expect} from 'chai'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {formatPoliciesFile, parsePolicyFile, DLP_SCHEMA_URL} from '../../../src/lib/dlp/policy-file.js'
import {validatePolicyText} from '../../../src/lib/dlp/validate.js'
import {ROOT} from '../../helpers/cli.js'

const schema = JSON.parse(readFileSync(join(ROOT, 'schemas', 'dlp-policies.json'), 'utf8')) as {$id: string}
const check = new Ajv2020({allErrors: true, strict: true}).compile(schema)

const docs: Record<string, string> = {
  exported: formatPoliciesFile([
    {
      id: 'p1',
      etag: 'W/"1"',
      name: 'Baseline',
      scope: {except: ['env-dev']},
      defaultGroup: 'business',
      nonBusiness: ['shared_twitter'],
      rules: {shared_sql: {actions: {default: 'allow', block: ['DeleteRow']}}},
      customConnectorPatterns: [{host: '*', group: 'ignore'}],
    },
  ]),
  'unknown field': 'version: 1\npolicies:\n  - {name: A, scope: all, defaultGroup: business, buisness: []}\n',
  'bad group': 'version: 1\npolicies:\n  - {name: A, scope: all, defaultGroup: confidential}\n',
  'bad scope': 'version: 1\npolicies:\n  - {name: A, scope: {some: [x]}, defaultGroup: business}\n',
  'no version': 'policies: []\n',
  'bad behavior': 'version: 1\npolicies:\n  - {name: A, scope: all, defaultGroup: business, rules: {h: {endpoints: [{endpoint: "*", behavior: block}]}}}\n',
  'empty list': 'version: 1\npolicies: []\n',
}

describe('schemas/dlp-policies.json', () => {
  it('is the published schema export points editors at', () => {
    expect(schema.$id).to.equal(DLP_SCHEMA_URL)
  })

  for (const [name, text] of Object.entries(docs)) {
    it(`the schema and dlp validate agree on a document: ${name}`, () => {
      const schemaOk = check(parsePolicyFile(text).value)
      const validatorOk = validatePolicyText(text).issues.length === 0
      expect(validatorOk, JSON.stringify(check.errors)).to.equal(schemaOk)
      expect(schemaOk).to.equal(name === 'exported' || name === 'empty list')
    })
  }
})
