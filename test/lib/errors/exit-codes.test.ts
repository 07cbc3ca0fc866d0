// Exit codes: each typed error maps to its documented code; oclif's parse errors become usage errors (2).
import {Args, Command, Flags} from '@oclif/core'
import {expect} from 'chai'

import {
  AuthRequiredError,
  CancelledError,
  ConflictError,
  EXIT_CODE_DOCS,
  ExitCode,
  InterruptedError,
  NotFoundError,
  PermissionDeniedError,
  PpctlError,
  ThrottledError,
  UnreachableError,
  UsageError,
  toPpctlError,
} from '../../../src/lib/errors/index.js'

describe('exit codes', () => {
  // Each class with one code of its exit code (the constructors take only those).
  const classes: Array<[PpctlError, number, string]> = [
    [new UsageError('INVALID_DURATION', 'Something happened.'), 2, 'INVALID_DURATION'],
    [new CancelledError('CANCELLED', 'Something happened.'), 3, 'CANCELLED'],
    [new AuthRequiredError('SESSION_EXPIRED', 'Something happened.'), 4, 'SESSION_EXPIRED'],
    [new PermissionDeniedError('FORBIDDEN', 'Something happened.'), 5, 'FORBIDDEN'],
    [new NotFoundError('PROFILE_NOT_FOUND', 'Something happened.'), 6, 'PROFILE_NOT_FOUND'],
    [new ConflictError('NO_SEATS_AVAILABLE', 'Something happened.'), 7, 'NO_SEATS_AVAILABLE'],
    [new UnreachableError('DNS_FAILED', 'Something happened.'), 8, 'DNS_FAILED'],
    [new ThrottledError('THROTTLED', 'Something happened.'), 9, 'THROTTLED'],
    [new InterruptedError('INTERRUPTED', 'Something happened.'), 130, 'INTERRUPTED'],
  ]
  for (const [err, code, errorCode] of classes) {
    it(`${err.name} exits ${code} and keeps its code and name`, () => {
      expect(err.exitCode).to.equal(code)
      expect(err.code).to.equal(errorCode)
      expect(err.name).to.equal(err.constructor.name)
      expect(err).to.be.instanceOf(PpctlError)
      expect(toPpctlError(err)).to.equal(err)
    })
  }

  it('documents every exit code exactly once, with 0 and 1', () => {
    const documented = EXIT_CODE_DOCS.map(([code]) => code)
    expect(documented).to.have.members(Object.values(ExitCode))
    expect(new Set(documented).size).to.equal(documented.length)
  })

  it('serializes next step and correlation id for --json', () => {
    const err = new ConflictError('NO_SEATS_AVAILABLE', 'No seats left.', {nextStep: 'Buy seats.', correlationId: 'c-1'})
    expect(err.toJSON()).to.deep.equal({code: 'NO_SEATS_AVAILABLE', message: 'No seats left.', exitCode: 7, nextStep: 'Buy seats.', correlationId: 'c-1'})
  })
})

describe('toPpctlError', () => {
  class Probe extends Command {
    static override args = {key: Args.string({required: true})}
    static override flags = {limit: Flags.integer()}
    async run() {
      await this.parse(Probe)
    }
  }

  async function parseError(argv: string[]): Promise<unknown> {
    try {
      await Probe.run(argv, {root: process.cwd()})
    } catch (err) {
      return err
    }
    throw new Error('expected a parse error')
  }

  for (const [name, argv] of [
    ['a missing argument', []],
    ['an unknown flag', ['k', '--nope']],
    ['a flag value of the wrong type', ['k', '--limit', 'many']],
    ['an unexpected argument', ['k', 'extra']],
  ] as const) {
    it(`turns oclif's error for ${name} into a usage error (exit 2)`, async () => {
      const error = toPpctlError(await parseError([...argv]))
      expect(error).to.be.instanceOf(UsageError)
      expect(error.exitCode).to.equal(2)
      expect(error.code).to.equal('USAGE')
      expect(error.message).not.to.contain('\n')
      expect(error.nextStep).to.be.a('string')
    })
  }

  it('names the missing argument in the one-line message', async () => {
    const error = toPpctlError(await parseError([]))
    expect(error.message).to.contain('key')
  })

  it('turns an unknown failure into exit 1 with the first line of its message', () => {
    const error = toPpctlError(new TypeError('boom\n    at somewhere'))
    expect(error.exitCode).to.equal(1)
    expect(error.code).to.equal('UNEXPECTED')
    expect(error.message).to.equal('boom')
  })

  it("turns inquirer's ExitPromptError into an interruption (130)", () => {
    const err = Object.assign(new Error('User force closed the prompt'), {name: 'ExitPromptError'})
    expect(toPpctlError(err).exitCode).to.equal(130)
  })

  it('handles values that are not errors', () => {
    expect(toPpctlError('just a string').message).to.equal('just a string')
    expect(toPpctlError(undefined).exitCode).to.equal(1)
  })
})
