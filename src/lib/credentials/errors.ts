// Keychain failures as typed errors that say why the keychain is unreachable and what to do instead.
import {PpctlError} from '../errors/index.js'
import {redactText} from '../output/redact.js'

// Exit code 1, not 4: 4 tells a script "run ppctl auth login", which would fail the same way. An
// unreachable keychain is a problem of the machine's setup, fixed by starting one or opting in.
const OPT_INS =
  'use the CI variables PPCTL_CLIENT_ID, PPCTL_TENANT_ID and PPCTL_CERTIFICATE_PATH (nothing is stored), ' +
  'or opt in to an unencrypted file with --insecure-storage or PPCTL_CREDENTIAL_STORE=file.'

function nextStepFor(platform: NodeJS.Platform): string {
  if (platform === 'linux') {
    return (
      "Start a Secret Service (a desktop session, or headless: dbus-run-session -- sh -c 'echo -n PASSWORD | " +
      "gnome-keyring-daemon --unlock --components=secrets >/dev/null; ppctl ...'), " +
      OPT_INS
    )
  }
  if (platform === 'darwin') return 'Unlock the login keychain (security unlock-keychain), ' + OPT_INS
  return 'Sign in to Windows with a profile that has a Credential Manager, ' + OPT_INS
}

export class KeychainUnavailableError extends PpctlError {
  /** Why, for people: "no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set)". */
  readonly reason: string

  constructor(reason: string, platform: NodeJS.Platform = process.platform, cause?: unknown) {
    super('KEYCHAIN_UNAVAILABLE', `The OS keychain is not reachable: ${reason}.`, {
      nextStep: nextStepFor(platform),
      cause,
    })
    this.reason = reason
  }
}

export class KeychainTimeoutError extends PpctlError {
  constructor(operation: string, timeoutMs: number, platform: NodeJS.Platform = process.platform) {
    super(
      'KEYCHAIN_TIMEOUT',
      `The OS keychain did not answer within ${Math.round(timeoutMs / 1000)} s (${operation}); it may be waiting for an unlock prompt.`,
      {
        nextStep: nextStepFor(platform),
      },
    )
  }
}

export class CredentialLockTimeoutError extends PpctlError {
  constructor(profile: string, lockFile: string, waitedMs: number) {
    super('CREDENTIAL_LOCK_TIMEOUT', `Another ppctl process has held the credential lock of profile "${profile}" for over ${Math.round(waitedMs / 1000)} s.`, {
      nextStep: `Wait for the other ppctl to finish; if none is running, delete ${lockFile}.`,
    })
  }
}

/** Why the keychain failed, from the keyring library's message (which never carries a secret value). */
export function describeKeyringFailure(message: string, env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): string {
  const text = redactText(message.split('\n')[0]).slice(0, 300)
  if (platform !== 'linux') return text
  if (/DBUS_SESSION_BUS_ADDRESS|autolaunch/i.test(text)) return 'no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set)'
  if (/Failed to connect to socket|Connection refused|No such file or directory|Could not connect/i.test(text)) {
    return `the D-Bus session bus (DBUS_SESSION_BUS_ADDRESS=${env.DBUS_SESSION_BUS_ADDRESS ?? ''}) is unreachable`
  }
  if (/org\.freedesktop\.secrets|ServiceUnknown|not provided by any \.service|Secret Service is not available/i.test(text)) {
    return 'no Secret Service (org.freedesktop.secrets) on the D-Bus session bus'
  }
  if (/locked|no result found|NoSuchObject|prompt/i.test(text)) {
    return `the Secret Service's default collection is missing or locked (${text})`
  }
  return `the Secret Service failed (${text})`
}
