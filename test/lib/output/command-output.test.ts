// Errors and notes at a terminal are wrapped at spaces to its width; into a pipe each stays on one line for grep.
import {expect} from 'chai'

import {PpctlError} from '../../../src/lib/errors/index.js'
import {reportError, writeNote} from '../../../src/lib/output/command-output.js'
import {text} from '../../../src/lib/output/render.js'
import {renderError, wrapUnder} from '../../../src/lib/output/render-error.js'
import {fakeIO} from '../../helpers/fake-io.js'

const long = new PpctlError(
  'PROFILE_NOT_FOUND',
  'No connector "shared_a_connector_with_a_long_name" in contoso; the tenant has 42 connectors whose ids are listed by the command below.',
  {nextStep: 'See the matches: ppctl connector list --search shared_a_connector_with_a_long_name --tier premium'},
)

describe('error and note lines at a terminal and in a pipe', () => {
  afterEach(() => (process.exitCode = undefined))

  it('without a width (a pipe), the message and the Next step are one line each', () => {
    const lines = renderError(long).trimEnd().split('\n')
    expect(lines).to.have.length(2)
    expect(lines[0]).to.equal(`Error: ${long.message}`)
  })

  it('at a 60-column terminal every line fits, words are whole, and continuations sit under the text', () => {
    const lines = renderError(long, 60).trimEnd().split('\n')
    // Every line fits but the command to type, which is kept whole on a line of its own.
    for (const line of lines.filter((l) => !l.trim().startsWith('ppctl '))) expect([...line].length, line).to.be.at.most(60)
    expect(lines[0]).to.match(/^Error: No connector/)
    expect(lines[1]).to.match(/^ {7}\S/)
    const next = lines.findIndex((line) => line.startsWith('  Next: '))
    expect(lines[next + 1]).to.match(/^ {8}\S/)
    // Read back as a person does, nothing is lost or cut.
    const words = lines.map((line) => line.trim()).join(' ')
    expect(words).to.include(long.message).and.include(long.nextStep!)
  })

  it('a command to type is never broken across lines: it takes a line of its own, whole', () => {
    const hint = "Stopped after seq 3. Resume: ppctl audit stream --follow --action 'connector.*' -o table --after 3"
    const lines = wrapUnder('', hint, 60, '  ').split('\n')
    expect(lines).to.deep.equal(['Stopped after seq 3. Resume:', "  ppctl audit stream --follow --action 'connector.*' -o table --after 3"])
    // It ends at the prose after it, which wraps again.
    const warning = 'To move them: ppctl config set credential-store keychain --profile sandbox, unset PPCTL_CREDENTIAL_STORE, and sign in again.'
    const wrapped = wrapUnder('Warning: ', warning, 60).split('\n')
    expect(wrapped.some((line) => line.trim() === 'ppctl config set credential-store keychain --profile sandbox,')).to.equal(true)
    for (const line of wrapped.filter((l) => !l.includes('ppctl'))) expect([...line].length, line).to.be.at.most(60)
  })

  it('reportError wraps only when stderr is a terminal', () => {
    const tty = fakeIO({tty: true, columns: 50})
    reportError(tty.io, long, {commandId: 'connector:show', json: false, debug: false})
    expect(tty.stderrText().split('\n').filter(Boolean).length).to.be.greaterThan(2)
    const pipe = fakeIO({columns: 50})
    reportError(pipe.io, long, {commandId: 'connector:show', json: false, debug: false})
    expect(pipe.stderrText().trimEnd().split('\n')).to.have.length(2)
  })

  it('a note wider than the terminal is wrapped two columns in, and left whole in a pipe', () => {
    const note = text`Warning: ppctl keeps the tokens of profile "${'sandbox'}" unencrypted in /home/someone/.config/ppctl/credentials/sandbox.json (insecure storage).`
    const tty = fakeIO({tty: true, columns: 40})
    writeNote(tty.io, note)
    const lines = tty.stderrText().trimEnd().split('\n')
    expect(lines.length).to.be.greaterThan(1)
    for (const line of lines.slice(1)) expect(line).to.match(/^ {2}\S/)
    for (const line of lines.filter((l) => !l.includes('/'))) expect([...line].length, line).to.be.at.most(40)
    const pipe = fakeIO({columns: 40})
    writeNote(pipe.io, note)
    expect(pipe.stderrText()).to.equal(note.text + '\n')
  })
})
