// PPCTL_SANDBOX_ENCRYPTION: on (the default) encrypts tenant data at rest with per-tenant keys; off keeps the
// cluster files in plain SQLite (the baseline of the encryption benchmark, and tests that read the files).
import {InvalidSetting} from '../gateway/rate-limit.js'

export const ENCRYPTION_ENV = 'PPCTL_SANDBOX_ENCRYPTION'

export function parseEncryption(value: string | undefined): boolean | undefined {
  if (value === undefined || value.trim() === '') return undefined
  const v = value.trim().toLowerCase()
  if (v === 'on') return true
  if (v === 'off') return false
  throw new InvalidSetting(`${ENCRYPTION_ENV} must be "on" or "off", not "${value.slice(0, 40)}"`)
}
