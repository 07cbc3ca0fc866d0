// The --checkpoint file: where a stream resumes (tenant, cluster, last seq), validated before any event is read.
import {readFile} from 'node:fs/promises'

import {PpctlError} from '../errors/index.js'
import {sanitizeOneLine} from '../output/sanitize.js'
import {writeFileAtomic} from '../config/atomic.js'

export const CHECKPOINT_FORMAT = 'ppctl.audit.checkpoint/v1'

export interface Checkpoint {
  format: typeof CHECKPOINT_FORMAT
  tenantId: string
  /** The cluster that served the last event (it changes after a failover; seqs do not). */
  cluster: string
  lastSeq: number
  /** The time of the last event. */
  lastTime: string
  updatedAt: string
}

class CheckpointError extends PpctlError {
  constructor(file: string, reason: string) {
    super('CHECKPOINT_INVALID', `The checkpoint ${sanitizeOneLine(file)} ${reason}.`, {
      nextStep: 'Nothing was read. Fix or move the file; to start over on purpose, delete it (every retained event is then shipped again).',
    })
  }
}

/** The checkpoint in `file`, or undefined when there is none yet; corrupt or foreign files throw CheckpointError (exit 1). */
export async function readCheckpoint(file: string, expect: {tenantId: string; clusters: readonly string[]}): Promise<Checkpoint | undefined> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new CheckpointError(file, `cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`)
  }
  if (text.length === 0) throw new CheckpointError(file, 'is empty (truncated)')
  if (text.includes('\u0000')) throw new CheckpointError(file, 'is corrupt: it contains NUL bytes (a crash while the disk was writing?)')
  let cp: Partial<Checkpoint>
  try {
    cp = JSON.parse(text) as Partial<Checkpoint>
  } catch {
    throw new CheckpointError(file, 'is corrupt: it is not complete JSON (truncated?)')
  }
  if (!cp || typeof cp !== 'object' || cp.format !== CHECKPOINT_FORMAT) {
    throw new CheckpointError(
      file,
      `is not a ppctl audit checkpoint (format ${JSON.stringify(sanitizeOneLine(String((cp as {format?: unknown})?.format ?? 'missing')))}, expected ${CHECKPOINT_FORMAT})`,
    )
  }
  if (!Number.isSafeInteger(cp.lastSeq) || (cp.lastSeq as number) < 0 || typeof cp.cluster !== 'string' || typeof cp.tenantId !== 'string') {
    throw new CheckpointError(file, 'is corrupt: lastSeq, cluster or tenantId is missing or invalid')
  }
  if (cp.tenantId !== expect.tenantId)
    throw new CheckpointError(file, `belongs to another tenant (${sanitizeOneLine(cp.tenantId)}, signed in to ${expect.tenantId})`)
  if (!expect.clusters.includes(cp.cluster)) {
    throw new CheckpointError(file, `names cluster ${sanitizeOneLine(cp.cluster)}, which is not one of the tenant's clusters (${expect.clusters.join(', ')})`)
  }
  return cp as Checkpoint
}

export function writeCheckpoint(file: string, cp: Omit<Checkpoint, 'format' | 'updatedAt'>, now: number): Promise<void> {
  const full: Checkpoint = {format: CHECKPOINT_FORMAT, ...cp, updatedAt: new Date(now).toISOString()}
  return writeFileAtomic(file, JSON.stringify(full, null, 2) + '\n', 0o600, {privateDir: false})
}
