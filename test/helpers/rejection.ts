// Awaits a promise that must reject and hands back its error, so a test can check the code and exit code.
import type {PpctlError} from '../../src/lib/errors/index.js'

export async function rejection<E = PpctlError>(p: Promise<unknown>): Promise<E> {
  try {
    await p
  } catch (err) {
    return err as E
  }
  throw new Error('expected a rejection')
}
