// The spinner: animates on a terminal and always restores the line and cursor; silent (or one plain line) elsewhere.
import {expect} from 'chai'
import {EventEmitter} from 'node:events'
import {PassThrough} from 'node:stream'

import {createSpinner, type ExitHooks} from '../../../src/lib/output/spinner.js'

class FakeProcess extends EventEmitter implements ExitHooks {
  readonly pid = 4242
  readonly killed: Array<[number, string]> = []
  kill(pid: number, signal: NodeJS.Signals) {
    this.killed.push([pid, signal])
    return true
  }
}

function fakeStderr(isTTY: boolean) {
  const stderr = new PassThrough()
  let text = ''
  stderr.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')))
  return {io: {stderr, stderrIsTTY: isTTY, columns: 40}, text: () => text}
}

const HIDE = '\x1b[?25l'
const SHOW = '\x1b[?25h'
const CLEAR = '\r\x1b[2K'

describe('createSpinner', () => {
  it('on a terminal: hides the cursor, draws the text, and on stop clears the line and shows the cursor', () => {
    const {io, text} = fakeStderr(true)
    const hooks = new FakeProcess()
    const spinner = createSpinner(io, {hooks})
    spinner.start('Resolving home cluster')
    expect(text()).to.match(new RegExp(`^\\x1b\\[\\?25l\\r\\x1b\\[2K. Resolving home cluster$`))
    spinner.update('Calling eastus-1')
    expect(text()).to.contain('Calling eastus-1')
    spinner.stop()
    expect(text().endsWith(CLEAR + SHOW)).to.equal(true)
    expect(hooks.listenerCount('exit')).to.equal(0)
    expect(hooks.listenerCount('SIGINT')).to.equal(0)
  })

  it('succeed and fail print one final line with a mark', () => {
    const a = fakeStderr(true)
    const ok = createSpinner(a.io, {hooks: new FakeProcess()})
    ok.start('Working')
    ok.succeed('Done')
    expect(a.text().endsWith(`${CLEAR}${SHOW}✔ Done\n`)).to.equal(true)
    const b = fakeStderr(true)
    const bad = createSpinner(b.io, {hooks: new FakeProcess()})
    bad.start('Working')
    bad.fail('Failed')
    expect(b.text().endsWith(`${CLEAR}${SHOW}✖ Failed\n`)).to.equal(true)
  })

  it('restores the cursor when the process exits while spinning', () => {
    const {io, text} = fakeStderr(true)
    const hooks = new FakeProcess()
    createSpinner(io, {hooks}).start('Working')
    expect(text()).to.contain(HIDE)
    hooks.emit('exit', 0)
    expect(text().endsWith(CLEAR + SHOW)).to.equal(true)
  })

  it('restores the cursor on SIGINT and re-raises the signal when nobody else handles it', () => {
    const {io, text} = fakeStderr(true)
    const hooks = new FakeProcess()
    createSpinner(io, {hooks}).start('Working')
    hooks.emit('SIGINT', 'SIGINT')
    expect(text().endsWith(CLEAR + SHOW)).to.equal(true)
    expect(hooks.killed).to.deep.equal([[4242, 'SIGINT']])
  })

  it('without a terminal: writes nothing while spinning, and only the plain final line', () => {
    const {io, text} = fakeStderr(false)
    const hooks = new FakeProcess()
    const spinner = createSpinner(io, {hooks})
    expect(spinner.animated).to.equal(false)
    spinner.start('Working')
    spinner.update('Still working')
    expect(text()).to.equal('')
    expect(hooks.listenerCount('exit')).to.equal(0)
    spinner.succeed('Done')
    expect(text()).to.equal('Done\n')
  })

  it('sanitizes and shortens the text so that it never wraps', () => {
    const {io, text} = fakeStderr(true)
    const spinner = createSpinner(io, {hooks: new FakeProcess()})
    spinner.start(`evil\x1b]52;c;AAAA\x07 ${'y'.repeat(100)}`)
    spinner.stop()
    const drawn = text().split(CLEAR)[1]
    expect(drawn).not.to.contain('\x07')
    expect([...drawn].length).to.be.at.most(40)
    expect(drawn.endsWith('…')).to.equal(true)
  })
})
