// The cluster allow-list: https only, suffix match after IDNA normalization, no trailing dot, user-info or IP literal.
import {expect} from 'chai'

import {ExitCode} from '../../../src/lib/errors/index.js'
import {assertAllowedClusterUri, ClusterUriRefusedError} from '../../../src/lib/routing/allow-list.js'

const policy = {patterns: ['*.clusters.sandbox.localhost']}

function refused(uri: string, reason: RegExp, p = policy) {
  try {
    assertAllowedClusterUri(uri, p)
  } catch (err) {
    expect(err).to.be.instanceOf(ClusterUriRefusedError)
    expect((err as ClusterUriRefusedError).exitCode).to.equal(ExitCode.UNREACHABLE)
    expect((err as Error).message).to.match(reason)
    return
  }
  expect.fail(`${uri} was accepted`)
}

describe('routing/allow-list', () => {
  it('accepts a cluster host under the allowed suffix, with any port', () => {
    expect(assertAllowedClusterUri('https://eastus-1.clusters.sandbox.localhost:8443/', policy).host).to.equal('eastus-1.clusters.sandbox.localhost:8443')
    expect(assertAllowedClusterUri('https://EASTUS-1.Clusters.Sandbox.LOCALHOST', policy).hostname).to.equal('eastus-1.clusters.sandbox.localhost')
  })

  it('refuses http', () => refused('http://eastus-1.clusters.sandbox.localhost/', /only https/))
  it('refuses a foreign host', () => refused('https://attacker.localhost/', /matches none/))
  it('refuses a host that only ends with the suffix text', () => refused('https://evilclusters.sandbox.localhost/', /matches none/))
  it('refuses the suffix followed by another domain', () => refused('https://eastus-1.clusters.sandbox.localhost.evil.example/', /matches none/))
  it('refuses a wildcard spanning two labels', () => refused('https://a.b.clusters.sandbox.localhost/', /matches none/))
  it('refuses user-info', () => refused('https://user@eastus-1.clusters.sandbox.localhost/', /user information/))
  it('refuses user:password without echoing the password', () => refused('https://u:p4ss@eastus-1.clusters.sandbox.localhost/', /user information/))
  it('refuses a trailing dot', () => refused('https://eastus-1.clusters.sandbox.localhost./', /ends with a dot/))
  it('refuses IPv4, IPv6 and numeric-shorthand literals', () => {
    refused('https://127.0.0.1:8443/', /IP address/)
    refused('https://[::1]:8443/', /IP address/)
    refused('https://0x7f.1/', /IP address/)
  })
  it('allows IP literals only when the profile says so', () => {
    expect(assertAllowedClusterUri('https://127.0.0.1:8443/', {...policy, allowIpLiterals: true}).hostname).to.equal('127.0.0.1')
  })
  it('refuses a look-alike host in Unicode and in punycode', () => {
    refused('https://eastus-1.clusters.s\u0430ndbox.localhost/', /internationalized|matches none/)
    refused('https://eastus-1.clusters.xn--sndbox-4nf.localhost/', /matches none/)
  })
  it('matches internationalized patterns after IDNA normalization', () => {
    const idn = {patterns: ['*.clüster.example']}
    expect(assertAllowedClusterUri('https://a.xn--clster-4ya.example/', idn).hostname).to.equal('a.xn--clster-4ya.example')
    expect(assertAllowedClusterUri('https://a.CLÜSTER.example/', idn).hostname).to.equal('a.xn--clster-4ya.example')
  })
  it('refuses everything when the profile has no allow-list', () =>
    refused('https://eastus-1.clusters.sandbox.localhost/', /no cluster allow-list/, {patterns: []}))
  it('refuses text that is not a URL, sanitizing it in the message', () => {
    refused('not a url\u001b[2J', /not a valid URL/)
    try {
      assertAllowedClusterUri('\u001b]52;c;ZXZpbA==\u0007x', policy)
    } catch (err) {
      expect((err as Error).message).not.to.contain('\u001b')
    }
  })
})
