// The code table: every code has a documented exit code and category, and the error classes take only the table's codes.
import {createRequire} from 'node:module'
import {dirname, join} from 'node:path'

import {Errors} from '@oclif/core'
import {expect} from 'chai'

import {
  CODES,
  EXIT_CODE_DOCS,
  ExitCode,
  PlatformProblemError,
  PpctlError,
  UsageError,
  isErrorCode,
  toPpctlError,
  type ErrorCode,
} from '../../../src/lib/errors/index.js'

const CATEGORIES = [
  'usage',
  'cancelled',
  'auth',
  'permission',
  'not-found',
  'conflict',
  'network',
  'tls',
  'routing',
  'throttled',
  'platform',
  'local',
  'output',
  'interrupted',
  'internal',
]

describe('errors/codes', () => {
  const codes = Object.keys(CODES) as ErrorCode[]

  it('gives every code a documented, non-zero exit code, a known category, a retryable flag and a one-line description', () => {
    const documented = new Set<number>(EXIT_CODE_DOCS.map(([exit]) => exit))
    for (const code of codes) {
      const info = CODES[code]
      expect(code, code).to.match(/^[A-Z][A-Z0-9_]+$/)
      expect(documented.has(info.exit), `${code} exits ${info.exit}`).to.equal(true)
      expect(info.exit, code).not.to.equal(ExitCode.OK)
      expect(CATEGORIES, code).to.include(info.category)
      expect(info.retryable, code).to.be.a('boolean')
      expect(info.description, code).to.be.a('string').and.match(/\S/).and.not.contain('\n').and.not.contain('|')
    }
  })

  it('takes the exit code from the table, not from the throw site', () => {
    for (const code of codes) expect(new PpctlError(code, 'x').exitCode, code).to.equal(CODES[code].exit)
    // The same code thrown by two modules once exited 1 in one and 2 in the other.
    expect(new UsageError('INSECURE_AUTHORITY', 'x').exitCode).to.equal(ExitCode.USAGE)
    expect(new PpctlError('INSECURE_AUTHORITY', 'x').exitCode).to.equal(ExitCode.USAGE)
  })

  it('does not compile a code that is not in the table, or a class that disagrees with the table', () => {
    // @ts-expect-error a typo of USAGE is not a code
    const typo = new UsageError('USAGEE', 'x')
    // @ts-expect-error TIMEOUT exits 8: a UsageError (2) does not take it
    const wrongClass = new UsageError('TIMEOUT', 'x')
    expect([typo.exitCode, wrongClass.exitCode]).to.deep.equal([ExitCode.ERROR, ExitCode.UNREACHABLE])
    expect(isErrorCode('USAGEE')).to.equal(false)
    expect(isErrorCode('USAGE')).to.equal(true)
  })

  it('keeps the codes that are checked but never produced out of the table', () => {
    expect(isErrorCode('ROUTE_UNAVAILABLE')).to.equal(false)
  })

  it("passes a platform problem's code on with the exit code it was given, outside the table", () => {
    const err = new PlatformProblemError('WRONG_CLUSTER', ExitCode.UNREACHABLE, 'Reading x failed: moved.', {status: 421, correlationId: 'c-1'})
    expect(err.toJSON()).to.deep.equal({code: 'WRONG_CLUSTER', message: 'Reading x failed: moved.', exitCode: 8, correlationId: 'c-1'})
    expect(err.status).to.equal(421)
    expect(PpctlError.revive(err.toJSON()).toJSON()).to.deep.equal(err.toJSON())
    expect(PpctlError.revive({code: 'SESSION_EXPIRED', message: 'm', exitCode: 1}).exitCode).to.equal(ExitCode.AUTH_REQUIRED)
  })
})

describe('toPpctlError and oclif', () => {
  // oclif's parser errors are not in its exports map; the real classes, loaded from the package's files.
  const require = createRequire(import.meta.url)
  const parserErrors = require(join(dirname(require.resolve('@oclif/core')), 'parser', 'errors.js')) as Record<
    string,
    new (options: Record<string, unknown>) => Error
  >

  const cases: Array<[string, Error, string]> = [
    [
      'RequiredArgsError',
      new parserErrors.RequiredArgsError({args: [{name: 'key', description: 'the key'}], parse: {}}),
      'ppctl config get needs an argument: <key>.',
    ],
    ['UnexpectedArgsError', new parserErrors.UnexpectedArgsError({args: ['extra'], parse: {}}), 'ppctl config get does not take the argument "extra".'],
    ['NonExistentFlagsError', new parserErrors.NonExistentFlagsError({flags: ['--nope'], parse: {}}), 'Unknown flag --nope for ppctl config get.'],
    [
      'FailedFlagValidationError',
      new parserErrors.FailedFlagValidationError({failed: [{reason: '--a cannot be used with --b'}], parse: {}}),
      '--a cannot be used with --b',
    ],
    ['a flag parser CLIError', new Errors.CLIError('Expected an integer but received: many'), 'Expected an integer but received: many'],
  ]
  for (const [name, error, line] of cases) {
    it(`maps oclif's ${name} to a one-line usage error by its type and fields`, () => {
      const mapped = toPpctlError(error, 'config:get')
      expect(mapped).to.be.instanceOf(UsageError)
      expect(mapped).to.include({code: 'USAGE', exitCode: 2})
      expect(mapped.nextStep).to.contain('ppctl config get').and.contain('--help')
      expect(mapped.message).to.contain(line).and.not.contain('\n').and.not.contain('See more help')
    })
  }

  it('does not read the text: oclif-like words in a plain error are an unexpected error, an exit-2 CLIError with any text is usage', () => {
    for (const message of ['Missing 1 required arg:\nkey', 'Unexpected argument: x', 'Expected a number', 'Nonexistent flag: --x']) {
      expect(toPpctlError(new Error(message)).code, message).to.equal('UNEXPECTED')
    }
    expect(toPpctlError(Object.assign(new Error('boom'), {name: 'FlagError'})).code).to.equal('UNEXPECTED')
    expect(toPpctlError(new Errors.CLIError('anything at all', {exit: 2})).code).to.equal('USAGE')
    expect(toPpctlError(new Errors.ExitError(1)).code).to.equal('UNEXPECTED')
  })

  it('gives bulk results the same error form as --json (one implementation)', () => {
    expect(toPpctlError(new TypeError('boom')).toJSON()).to.include({code: 'UNEXPECTED', message: 'boom', exitCode: 1})
  })
})
