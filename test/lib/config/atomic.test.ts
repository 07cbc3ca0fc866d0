// Atomic private writes: 0600 files, 0700 folders, no temp file left, replace-by-rename, no torn files under concurrency.
import {expect} from 'chai'
import {fork} from 'node:child_process'
import {chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {ensurePrivateDir, writeFileAtomic} from '../../../src/lib/config/atomic.js'

const posix = process.platform !== 'win32'

describe('writeFileAtomic', () => {
  let dir: string
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ppctl-atomic-'))
  })
  afterEach(() => rmSync(dir, {recursive: true, force: true}))

  // Windows has no POSIX modes: there the content is checked and the modes are not.
  it('creates missing folders 0700 and the file 0600', async () => {
    const file = join(dir, 'a', 'b', 'config.json')
    await writeFileAtomic(file, '{"x":1}\n')
    expect(readFileSync(file, 'utf8')).to.equal('{"x":1}\n')
    if (!posix) return
    expect(statSync(file).mode & 0o777).to.equal(0o600)
    expect(statSync(join(dir, 'a', 'b')).mode & 0o777).to.equal(0o700)
    expect(statSync(join(dir, 'a')).mode & 0o777).to.equal(0o700)
  })

  it('tightens an existing folder that is too open', async () => {
    const open = join(dir, 'open')
    await ensurePrivateDir(open)
    chmodSync(open, 0o755)
    await writeFileAtomic(join(open, 'f'), 'x')
    expect(readFileSync(join(open, 'f'), 'utf8')).to.equal('x')
    if (posix) expect(statSync(open).mode & 0o777).to.equal(0o700)
  })

  it('leaves no temp file behind', async () => {
    const file = join(dir, 'config.json')
    await writeFileAtomic(file, 'one')
    await writeFileAtomic(file, 'two')
    expect(readdirSync(dir)).to.deep.equal(['config.json'])
  })

  it('replaces an existing file by rename: a new inode, the new content, still 0600', async () => {
    const file = join(dir, 'config.json')
    writeFileSync(file, 'old content', {mode: 0o644})
    const before = statSync(file)
    await writeFileAtomic(file, 'new content')
    const after = statSync(file)
    expect(readFileSync(file, 'utf8')).to.equal('new content')
    expect(after.ino).not.to.equal(before.ino)
    if (posix) expect(after.mode & 0o777).to.equal(0o600)
  })

  it('cleans up its temp file when the write fails', async () => {
    const target = join(dir, 'is-a-folder')
    await ensurePrivateDir(join(target, 'inside'))
    let failed = false
    try {
      await writeFileAtomic(target, 'x')
    } catch {
      failed = true
    }
    expect(failed).to.equal(true)
    expect(readdirSync(dir)).to.deep.equal(['is-a-folder'])
  })

  it('never produces a torn file with concurrent writers in several processes', async () => {
    const file = join(dir, 'config.json')
    const writers = 4
    const rounds = 25
    // Each writer writes big documents that are valid JSON only when whole.
    const script = `
      const {writeFileAtomic} = await import(${JSON.stringify(new URL('../../../src/lib/config/atomic.ts', import.meta.url).href)})
      const id = process.argv[2]
      for (let i = 0; i < ${rounds}; i++) {
        await writeFileAtomic(${JSON.stringify(file)}, JSON.stringify({writer: id, round: i, pad: id.repeat(200_000)}))
      }
    `
    const scriptFile = join(dir, 'writer.mts')
    writeFileSync(scriptFile, script)
    const children = Array.from({length: writers}, (_, n) => fork(scriptFile, [String(n)], {execArgv: ['--import', 'tsx'], stdio: 'inherit'}))
    const exits = children.map((child) => new Promise<number | null>((resolve) => child.on('exit', resolve)))
    let reads = 0
    let done = false
    void Promise.all(exits).then(() => (done = true))
    // Read continuously while they write: every read must see one whole document.
    while (!done) {
      let text: string
      try {
        text = readFileSync(file, 'utf8')
      } catch {
        await new Promise((resolve) => setImmediate(resolve))
        continue
      }
      const doc = JSON.parse(text) as {writer: string; pad: string}
      expect(doc.pad).to.equal(doc.writer.repeat(200_000))
      reads++
      await new Promise((resolve) => setImmediate(resolve))
    }
    expect(await Promise.all(exits)).to.deep.equal(Array(writers).fill(0))
    expect(reads).to.be.greaterThan(0)
    const last = JSON.parse(readFileSync(file, 'utf8')) as {round: number}
    expect(last.round).to.equal(rounds - 1)
    expect(readdirSync(dir).sort()).to.deep.equal(['config.json', 'writer.mts'])
  })
})
