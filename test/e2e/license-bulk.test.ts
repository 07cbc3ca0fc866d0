// Bulk license runs against the real platform: --dry-run predicts the real run row by row (seats, duplicates, bad rows),
// and Ctrl-C (a real SIGINT to bin/run.js) stops new rows, reports what was done (exit 130), and a re-run does the rest.
import {expect} from 'chai'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {runCli, spawnCli, type CliEnv} from '../helpers/cli.js'
import {startTestPlatform, type TestPlatform} from '../helpers/platform.js'
import {openTmux} from '../helpers/tmux.js'
import {approveWithCli, deviceLogin, machine} from '../helpers/sign-in.js'

interface Row {
  line: number
  upn: string
  outcome: string
  error?: {code: string}
}
interface Doc {
  results: Row[]
  failed: number
  notRun?: number
}

const member = (i: number) => `member${String(i).padStart(5, '0')}@contoso.example`
/** What a row came to, with the dry run's words put as the real run's. */
const outcomes = (doc: Doc) => doc.results.map((r) => [r.line, r.outcome.replace('would-assign', 'assigned'), r.error?.code])

describe('license assign --file against the real platform', function () {
  this.timeout(300_000)
  let platform: TestPlatform
  let admin: CliEnv

  before(async () => {
    platform = await startTestPlatform()
    admin = await machine(platform)
    const login = await deviceLogin(admin.env, [], approveWithCli(platform, 'admin@contoso.example'))
    if (login.code !== 0) throw new Error(`sign-in failed: ${login.stderr}`)
    // 800 members; POWERAPPS_PER_USER gets 12 seats (2 taken by the seed: 10 free), FLOW_FREE 1,000.
    const seeded = await runCli(
      ['sandbox', 'seed', '--data-dir', platform.dataDir, '--users', '800', '--seats', 'POWERAPPS_PER_USER=12', '--seats', 'FLOW_FREE=1000', '--json'],
      admin.env,
    )
    if (seeded.code !== 0) throw new Error(`sandbox seed failed: ${seeded.stderr}`)
  })
  after(async () => {
    admin?.cleanup()
    await platform?.stop()
  })

  it('--dry-run then the real run on the same file and state: the same outcome for every row', async () => {
    const rows = [
      ...Array.from({length: 14}, (_, i) => `${member(i + 1)},POWERAPPS_PER_USER`),
      'megan.bowen@contoso.example,POWERAPPS_PER_USER',
      `${member(3).toUpperCase()},POWERAPPS_PER_USER`,
      'ghost@contoso.example,POWERAPPS_PER_USER',
      `${member(20)},NOT_A_SKU`,
      `${member(21)},`,
      ...Array.from({length: 5}, (_, i) => `${member(30 + i)},FLOW_FREE`),
      'lee.gu@contoso.example,FLOW_FREE',
    ]
    const csv = join(admin.home, 'predict.csv')
    writeFileSync(csv, `upn,sku\r\n${rows.join('\r\n')}\r\n\r\n`)
    const dry = await runCli(['license', 'assign', '--file', csv, '--dry-run', '--json'], admin.env)
    const real = await runCli(['license', 'assign', '--file', csv, '--json'], admin.env)
    expect(dry.code, dry.stderr).to.equal(10)
    expect(real.code, real.stderr).to.equal(10)
    const predicted = outcomes(JSON.parse(dry.stdout) as Doc)
    expect(outcomes(JSON.parse(real.stdout) as Doc)).to.deep.equal(predicted)
    // What both said: 10 seats to the first 10 members in file order, none for the next 4.
    expect(predicted.slice(0, 14).map((r) => r[2] ?? r[1])).to.deep.equal([...Array(10).fill('assigned'), ...Array(4).fill('NO_SEATS_AVAILABLE')])
    expect(predicted.slice(14)).to.deep.equal([
      [16, 'already-assigned', undefined],
      [17, 'duplicate', undefined],
      [18, 'failed', 'USER_NOT_FOUND'],
      [19, 'failed', 'SKU_NOT_FOUND'],
      [20, 'failed', 'CSV_ROW'],
      [21, 'assigned', undefined],
      [22, 'assigned', undefined],
      [23, 'assigned', undefined],
      [24, 'assigned', undefined],
      [25, 'assigned', undefined],
      [26, 'already-assigned', undefined],
    ])
  })

  it('Ctrl-C (SIGINT) stops new rows and reports what was done (exit 130); the same command again does the rest', async () => {
    const csv = join(admin.home, 'big.csv')
    const upns = Array.from({length: 300}, (_, i) => member(100 + i))
    writeFileSync(csv, `upn,sku\n${upns.map((u) => `${u},FLOW_FREE`).join('\n')}\n`)
    const child = spawnCli(['license', 'assign', '--file', csv, '--json', '--debug'], admin.env)
    child.stdin.end()
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')))
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)))
    // Interrupted once the run is well under way: 20 assignments sent (the --debug trace says so, one line each).
    await new Promise<void>((resolve, reject) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString('utf8')
        if ((stderr.match(/HTTP → POST \S+\/licenses/g) ?? []).length >= 20) resolve()
      })
      void exited.then(() => reject(new Error(`the run ended before it was interrupted: ${stderr.slice(-2000)}`)))
    })
    child.kill('SIGINT')
    expect(await exited).to.equal(130)
    const first = JSON.parse(stdout) as Doc
    expect(first.notRun).to.be.greaterThan(0)
    expect(first.results.length + (first.notRun ?? 0)).to.equal(300)
    // The rows done are the first ones of the file, in order, each finished (none abandoned half-way).
    expect(first.results.map((r) => r.upn)).to.deep.equal(upns.slice(0, first.results.length))
    expect(first.results.every((r) => r.outcome === 'assigned')).to.equal(true)
    expect(stderr).to.match(/Interrupted: \d+ of 300 rows done \(0 failed\), \d+ not started\. Run the same command again/)
    // Seconds long, but stderr is a pipe: no progress line.
    expect(stderr).not.to.match(/rows\/s/)

    const again = await runCli(['license', 'assign', '--file', csv, '--json'], admin.env)
    expect(again.code, again.stderr).to.equal(0)
    const second = JSON.parse(again.stdout) as Doc
    expect(second.results.map((r) => r.outcome)).to.deep.equal([
      ...Array(first.results.length).fill('already-assigned'),
      ...Array(300 - first.results.length).fill('assigned'),
    ])
  })

  it('at a terminal: a progress line on stderr (rows done / total, rate, ETA); Ctrl-C there stops new rows (exit 130)', async () => {
    const csv = join(admin.home, 'terminal.csv')
    writeFileSync(csv, `upn,sku\n${Array.from({length: 300}, (_, i) => `${member(500 + i)},FLOW_FREE`).join('\n')}\n`)
    const tmux = await openTmux({columns: 120, env: {...admin.env, PPCTL_NO_WARNINGS: '1'}})
    try {
      await tmux.type(`ppctl license assign --file ${csv}; echo "status=$?"`, true)
      await tmux.waitFor(/Assigning terminal\.csv: \d+\/300 rows · [\d.]+ rows\/s · ETA \S+/, 120_000)
      await tmux.keys('C-c')
      await tmux.waitFor(/status=\d+/, 120_000)
      // history() joins the lines the terminal wrapped.
      const lines = (await tmux.history()).join('\n')
      expect(lines, lines.slice(-3000)).to.match(/Interrupted: \d+ of 300 rows done \(0 failed\), \d+ not started/)
      expect(lines).to.contain('status=130')
    } finally {
      await tmux.close()
    }
  })
})
