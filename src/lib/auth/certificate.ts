// Loads a client certificate and its key from PEM or PFX (PKCS#12) and checks them: validity, key match, file permissions.
import {createHash, createPrivateKey, X509Certificate, type KeyObject} from 'node:crypto'
import {readFile, stat} from 'node:fs/promises'

import {AuthRequiredError, UsageError} from '../errors/index.js'

export interface ClientCertificate {
  /** Where it came from: the file, or "PPCTL_CERTIFICATE". Named in every error. */
  source: string
  certificate: X509Certificate
  key: KeyObject
  /** SHA-1 thumbprint, upper-case hex (how portals show it). */
  thumbprint: string
  /** base64url SHA-256 of the DER certificate: the assertion's `x5t#S256`. */
  thumbprintS256: string
  notBefore: Date
  notAfter: Date
  /** Things a person should fix (a key file readable by others); never fatal. */
  warnings: string[]
}

export interface LoadCertificateOptions {
  /** Asked only when the key is encrypted (PEM) or the file is a PFX. */
  password: () => Promise<string>
  /** Epoch ms, to check the validity period. */
  now: number
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g
const PEM_KEY = /-----BEGIN ((?:RSA |EC |ENCRYPTED )?PRIVATE KEY)-----[\s\S]+?-----END \1-----/

/** Reads a PEM or PFX file; a key readable by group or others adds a warning. */
export async function loadCertificateFile(file: string, options: LoadCertificateOptions): Promise<ClientCertificate> {
  let data: Buffer
  let mode: number
  try {
    data = await readFile(file)
    mode = (await stat(file)).mode
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    throw new UsageError(
      'CERTIFICATE_UNREADABLE',
      `Cannot read the certificate file ${file} (${code === 'ENOENT' ? 'it does not exist' : (code ?? 'error')}).`,
      {
        nextStep: 'Give the path of a PEM (certificate and key) or PFX file: --certificate FILE',
      },
    )
  }
  const isPem = data.subarray(0, 4096).toString('latin1').includes('-----BEGIN ')
  const cert = isPem ? await fromPem(data.toString('utf8'), file, options) : await fromPfx(data, file, options)
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    cert.warnings.push(
      `The certificate file ${file} holds a private key and is readable by other users (mode ${(mode & 0o777).toString(8)}); restrict it: chmod 600 "${file}"`,
    )
  }
  return cert
}

/** A PEM given as text (PPCTL_CERTIFICATE in CI). */
export function loadCertificatePem(pem: string, source: string, options: LoadCertificateOptions): Promise<ClientCertificate> {
  return fromPem(pem, source, options)
}

async function fromPem(text: string, source: string, options: LoadCertificateOptions): Promise<ClientCertificate> {
  const certs = [...text.matchAll(PEM_CERT)].map((m) => parseCertificate(m[0], source))
  if (certs.length === 0) {
    throw new UsageError('CERTIFICATE_INVALID', `${source} contains no PEM certificate.`, {
      nextStep: 'Give a PEM file with the certificate and its private key, or a PFX file.',
    })
  }
  const keyPem = PEM_KEY.exec(text)?.[0]
  if (!keyPem) {
    throw new UsageError('CERTIFICATE_KEY_MISSING', `${source} contains no private key (certificate ${thumbprintOf(certs[0])}).`, {
      nextStep: 'Put the private key in the same PEM file as the certificate, or use a PFX file.',
    })
  }
  const encrypted = /ENCRYPTED/.test(keyPem.split('\n', 3).join('\n'))
  let key: KeyObject
  if (encrypted) {
    let passphrase: string
    try {
      passphrase = await options.password()
    } catch (err) {
      if ((err as {code?: string}).code === 'SECRET_REQUIRED' || (err as {code?: string}).code === 'ANSWER_REQUIRED') {
        throw new UsageError(
          'CERTIFICATE_PASSWORD_REQUIRED',
          `The private key in ${source} (certificate ${thumbprintOf(certs[0])}) is encrypted and no password was given.`,
          {
            nextStep: 'Set PPCTL_CERTIFICATE_PASSWORD, pipe the password on stdin, or run at a terminal to be asked.',
          },
        )
      }
      throw err
    }
    try {
      key = createPrivateKey({key: keyPem, format: 'pem', passphrase})
    } catch {
      throw new UsageError(
        'CERTIFICATE_PASSWORD_INVALID',
        `The password does not decrypt the private key in ${source} (certificate ${thumbprintOf(certs[0])}).`,
        {
          nextStep: 'Check PPCTL_CERTIFICATE_PASSWORD (or the password you typed).',
        },
      )
    }
  } else {
    try {
      key = createPrivateKey({key: keyPem, format: 'pem'})
    } catch {
      throw new UsageError('CERTIFICATE_KEY_INVALID', `The private key in ${source} cannot be read (certificate ${thumbprintOf(certs[0])}).`, {
        nextStep: 'Export the key again as PKCS#8 or PKCS#1 PEM.',
      })
    }
  }
  return finish(certs, key, source, options.now)
}

async function fromPfx(data: Buffer, source: string, options: LoadCertificateOptions): Promise<ClientCertificate> {
  const {default: forge} = await import('node-forge')
  let asn1: import('node-forge').asn1.Asn1
  try {
    asn1 = forge.asn1.fromDer(forge.util.createBuffer(data.toString('binary')))
  } catch {
    throw new UsageError('CERTIFICATE_INVALID', `${source} is neither a PEM nor a PFX (PKCS#12) file.`, {
      nextStep: 'Give a PEM file with the certificate and its private key, or a PFX file.',
    })
  }
  let password: string
  try {
    password = await options.password()
  } catch (err) {
    const code = (err as {code?: string}).code
    if (code === 'SECRET_REQUIRED' || code === 'ANSWER_REQUIRED') {
      throw new UsageError('CERTIFICATE_PASSWORD_REQUIRED', `${source} is a PFX file and no password was given.`, {
        nextStep: 'Set PPCTL_CERTIFICATE_PASSWORD, pipe the password on stdin, or run at a terminal to be asked.',
      })
    }
    throw err
  }
  let p12: import('node-forge').pkcs12.Pkcs12Pfx
  try {
    p12 = forge.pkcs12.pkcs12FromAsn1(asn1, false, password)
  } catch (err) {
    const wrongPassword = /MAC could not be verified|Invalid password|decrypt/i.test((err as Error).message ?? '')
    throw new UsageError(
      wrongPassword ? 'CERTIFICATE_PASSWORD_INVALID' : 'CERTIFICATE_INVALID',
      wrongPassword ? `The password does not open the PFX file ${source}.` : `${source} is not a readable PFX (PKCS#12) file.`,
      {nextStep: wrongPassword ? 'Check PPCTL_CERTIFICATE_PASSWORD (or the password you typed).' : 'Export the certificate again as PFX or PEM.'},
    )
  }
  const bags = (type: string) => p12.getBags({bagType: type})[type] ?? []
  const certs = bags(forge.pki.oids.certBag).flatMap((bag) => (bag.cert ? [parseCertificate(forge.pki.certificateToPem(bag.cert), source)] : []))
  const keyBag = [...bags(forge.pki.oids.pkcs8ShroudedKeyBag), ...bags(forge.pki.oids.keyBag)].find((bag) => bag.key)
  if (certs.length === 0)
    throw new UsageError('CERTIFICATE_INVALID', `${source} contains no certificate.`, {nextStep: 'Export the PFX again with its certificate.'})
  if (!keyBag?.key) {
    throw new UsageError('CERTIFICATE_KEY_MISSING', `${source} contains no private key (certificate ${thumbprintOf(certs[0])}).`, {
      nextStep: 'Export the PFX again with its private key.',
    })
  }
  const key = createPrivateKey(forge.pki.privateKeyToPem(keyBag.key as import('node-forge').pki.rsa.PrivateKey))
  return finish(certs, key, source, options.now)
}

function parseCertificate(pem: string, source: string): X509Certificate {
  try {
    return new X509Certificate(pem)
  } catch {
    throw new UsageError('CERTIFICATE_INVALID', `${source} contains a certificate that cannot be parsed.`, {
      nextStep: 'Export the certificate again as PEM or PFX.',
    })
  }
}

/** The leaf is the certificate that matches the key; it must be valid now. */
function finish(certs: X509Certificate[], key: KeyObject, source: string, now: number): ClientCertificate {
  const certificate = certs.find((c) => c.checkPrivateKey(key))
  if (!certificate) {
    throw new UsageError('CERTIFICATE_KEY_MISMATCH', `The private key in ${source} does not match its certificate ${thumbprintOf(certs[0])}.`, {
      nextStep: 'Put the certificate and the key it was issued for in the file.',
    })
  }
  const thumbprint = thumbprintOf(certificate)
  const notBefore = new Date(certificate.validFrom)
  const notAfter = new Date(certificate.validTo)
  if (now > notAfter.getTime()) {
    throw new AuthRequiredError('CERTIFICATE_EXPIRED', `The certificate in ${source} (thumbprint ${thumbprint}) expired on ${notAfter.toISOString()}.`, {
      nextStep: 'Renew the certificate, register the new one, and sign in with it.',
    })
  }
  if (now < notBefore.getTime()) {
    throw new AuthRequiredError(
      'CERTIFICATE_NOT_YET_VALID',
      `The certificate in ${source} (thumbprint ${thumbprint}) is not valid before ${notBefore.toISOString()}.`,
      {
        nextStep: "Check this machine's clock, or wait until the certificate is valid.",
      },
    )
  }
  return {
    source,
    certificate,
    key,
    thumbprint,
    thumbprintS256: createHash('sha256').update(certificate.raw).digest('base64url'),
    notBefore,
    notAfter,
    warnings: [],
  }
}

function thumbprintOf(cert: X509Certificate): string {
  return cert.fingerprint.replace(/:/g, '').toUpperCase()
}
