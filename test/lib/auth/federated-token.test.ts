// Where a federated token comes from: the file, the CI system named, or (auto, the default in CI) the first found.
import {expect} from 'chai'

import {federatedSource} from '../../../src/lib/auth/federated-token.js'

const github = {ACTIONS_ID_TOKEN_REQUEST_URL: 'https://ci.example/idtoken?api-version=2.0', ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'job-secret'}
const azureDevOps = {SYSTEM_OIDCREQUESTURI: 'https://dev.azure.com/contoso/_apis/oidc', SYSTEM_ACCESSTOKEN: 'job-secret'}
const gitlab = {PPCTL_ID_TOKEN: 'a.b.c'}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (err) {
    return (err as {code?: string}).code
  }
  return undefined
}

describe('federatedSource', () => {
  it('outside CI, without a file or a named provider, there is no federated sign-in (a developer machine with leftover variables)', () => {
    expect(federatedSource({...github})).to.equal(undefined)
  })

  it('auto in CI: the file first, then GitHub, then Azure DevOps, then GitLab', () => {
    expect(federatedSource({CI: 'true', ...github, ...azureDevOps, ...gitlab, PPCTL_FEDERATED_TOKEN_FILE: '/run/oidc.jwt'})).to.deep.equal({
      kind: 'file',
      file: '/run/oidc.jwt',
      audience: 'api://ppctl',
    })
    expect(federatedSource({CI: 'true', ...github, ...azureDevOps, ...gitlab})?.kind).to.equal('github')
    expect(federatedSource({CI: 'true', ...azureDevOps, ...gitlab})?.kind).to.equal('azure-devops')
    expect(federatedSource({CI: 'true', ...gitlab})?.kind).to.equal('gitlab')
    expect(federatedSource({CI: 'true'})).to.equal(undefined)
  })

  it('a file names itself outside CI too, and the audience comes from the flag, then PPCTL_FEDERATED_AUDIENCE', () => {
    expect(federatedSource({PPCTL_FEDERATED_TOKEN_FILE: 'f', PPCTL_FEDERATED_AUDIENCE: 'api://env'})).to.deep.equal({
      kind: 'file',
      file: 'f',
      audience: 'api://env',
    })
    expect(federatedSource({PPCTL_FEDERATED_AUDIENCE: 'api://env'}, {file: 'g', audience: 'api://flag'})).to.deep.equal({
      kind: 'file',
      file: 'g',
      audience: 'api://flag',
    })
  })

  it('a named provider whose variables are missing is a usage error naming them; an unknown one names the choices', () => {
    expect(codeOf(() => federatedSource({}, {provider: 'github'}))).to.equal('FEDERATED_PROVIDER_UNAVAILABLE')
    expect(codeOf(() => federatedSource({...github}, {provider: 'gitlab'}))).to.equal('FEDERATED_PROVIDER_UNAVAILABLE')
    expect(codeOf(() => federatedSource({}, {provider: 'file'}))).to.equal('FEDERATED_PROVIDER_UNAVAILABLE')
    expect(codeOf(() => federatedSource({PPCTL_FEDERATED_PROVIDER: 'jenkins'}))).to.equal('INVALID_ENVIRONMENT')
    expect(federatedSource({...gitlab}, {provider: 'gitlab'})?.kind).to.equal('gitlab')
  })
})
