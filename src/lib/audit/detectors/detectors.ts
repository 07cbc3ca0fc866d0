// The named detectors of `ppctl audit watch`: bursts of failed sign-ins, unblocked connectors, mass license
// revocations, and one account signing in from several addresses.
import {actorOf, type Alert, type Detector, type WatchedEvent} from './types.js'
import {KeyedWindow} from './window.js'

export interface Threshold {
  count: number
  windowSeconds: number
}

const timeOf = (e: WatchedEvent) => Date.parse(e.time)

/** N matching events with the same key within W seconds → one alert, then the key starts counting again. */
function burst(
  name: string,
  t: Threshold,
  match: (e: WatchedEvent) => boolean,
  keyOf: (e: WatchedEvent) => string | undefined,
  summary: (key: string, n: number) => string,
): Detector {
  const window = new KeyedWindow<null>(t.windowSeconds * 1000)
  return {
    name,
    observe(e) {
      if (!match(e)) return []
      const key = keyOf(e)
      if (!key) return []
      const entries = window.add(key, timeOf(e), e.seq, null)
      if (entries.length < t.count) return []
      window.clear(key)
      return [
        {
          detector: name,
          time: e.time,
          subject: key,
          summary: summary(key, entries.length),
          count: entries.length,
          windowSeconds: t.windowSeconds,
          seqs: entries.map((x) => x.seq),
        },
      ]
    },
  }
}

const failedSignIn = (e: WatchedEvent) => e.action === 'signin' && e.result === 'failed'

function failedSignInsByAccount(t: Threshold): Detector {
  return burst('failed-signins-account', t, failedSignIn, actorOf, (key, n) => `${n} failed sign-ins for ${key} within ${t.windowSeconds} s`)
}

function failedSignInsByAddress(t: Threshold): Detector {
  return burst(
    'failed-signins-address',
    t,
    failedSignIn,
    (e) => e.clientIp,
    (key, n) => `${n} failed sign-ins from ${key} within ${t.windowSeconds} s`,
  )
}

function massLicenseRevocation(t: Threshold): Detector {
  return burst(
    'mass-license-revocation',
    t,
    (e) => e.action === 'license.revoked' && e.result === 'succeeded',
    (e) => e.tenantId ?? 'tenant',
    (_key, n) => `${n} licenses revoked within ${t.windowSeconds} s`,
  )
}

function connectorUnblocked(): Detector {
  return {
    name: 'connector-unblocked',
    observe(e) {
      if (e.action !== 'connector.unblocked' || e.result !== 'succeeded') return []
      const connector = e.target?.id ?? 'unknown'
      return [
        {
          detector: 'connector-unblocked',
          time: e.time,
          subject: connector,
          summary: `connector ${connector} was unblocked by ${actorOf(e)}`,
          count: 1,
          seqs: [e.seq],
        },
      ]
    },
  }
}

/** One account signing in successfully from N distinct client addresses within W seconds. */
function signInsFromManyAddresses(t: Threshold): Detector {
  const window = new KeyedWindow<string>(t.windowSeconds * 1000)
  return {
    name: 'signin-many-addresses',
    observe(e) {
      if (e.action !== 'signin' || e.result !== 'succeeded' || !e.clientIp) return []
      const account = actorOf(e)
      const entries = window.add(account, timeOf(e), e.seq, e.clientIp)
      const addresses = new Set(entries.map((x) => x.value))
      if (addresses.size < t.count) return []
      window.clear(account)
      return [
        {
          detector: 'signin-many-addresses',
          time: e.time,
          subject: account,
          summary: `${account} signed in from ${addresses.size} addresses within ${t.windowSeconds} s: ${[...addresses].join(', ')}`,
          count: addresses.size,
          windowSeconds: t.windowSeconds,
          seqs: entries.map((x) => x.seq),
        },
      ]
    },
  }
}

export interface DetectorSettings {
  failedSignIns: Threshold
  licenseRevocations: Threshold
  signInAddresses: Threshold
}

export const DEFAULT_SETTINGS: DetectorSettings = {
  failedSignIns: {count: 5, windowSeconds: 60},
  licenseRevocations: {count: 10, windowSeconds: 300},
  signInAddresses: {count: 3, windowSeconds: 600},
}

export const DETECTOR_NAMES = [
  'failed-signins-account',
  'failed-signins-address',
  'connector-unblocked',
  'mass-license-revocation',
  'signin-many-addresses',
] as const

export function createDetectors(settings: DetectorSettings, only?: readonly string[]): Detector[] {
  const all = [
    failedSignInsByAccount(settings.failedSignIns),
    failedSignInsByAddress(settings.failedSignIns),
    connectorUnblocked(),
    massLicenseRevocation(settings.licenseRevocations),
    signInsFromManyAddresses(settings.signInAddresses),
  ]
  return only && only.length > 0 ? all.filter((d) => only.includes(d.name)) : all
}

/** Runs detectors over a sequence of events: the pure form, for tests and replays. */
export function detect(detectors: readonly Detector[], events: Iterable<WatchedEvent>): Alert[] {
  const alerts: Alert[] = []
  for (const e of events) for (const d of detectors) alerts.push(...d.observe(e))
  return alerts
}
