// The local platform's TLS material: a local CA and a server certificate, made at first start.
import {createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes} from 'node:crypto'
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'

import forge from 'node-forge'

import {writeFileSyncAtomic} from './fs-util.js'

export interface TlsMaterial {
  caFile: string
  caPem: string
  certPem: string
  keyPem: string
}

/** The names the one listener answers to. */
const SERVER_NAMES = [
  'sandbox.localhost',
  '*.sandbox.localhost',
  'login.sandbox.localhost',
  'global.sandbox.localhost',
  '*.clusters.sandbox.localhost',
  'localhost',
]

export function rsaKeyPair(bits = 2048): {privatePem: string; publicPem: string} {
  const {privateKey, publicKey} = generateKeyPairSync('rsa', {modulusLength: bits})
  return {
    privatePem: privateKey.export({type: 'pkcs8', format: 'pem'}).toString(),
    publicPem: publicKey.export({type: 'spki', format: 'pem'}).toString(),
  }
}

function serial(): string {
  // Positive, 16 bytes: the top bit cleared.
  const bytes = randomBytes(16)
  bytes[0] &= 0x7f
  return bytes.toString('hex')
}

export interface CertificateRequest {
  subjectCN: string
  publicPem: string
  signerKeyPem: string
  issuer?: forge.pki.Certificate
  days: number
  ca?: boolean
  dnsNames?: string[]
  ipAddresses?: string[]
  clientAuth?: boolean
  notBefore?: Date
}

/** Issues an X.509 certificate (self-signed when no issuer is given). */
export function issueCertificate(req: CertificateRequest): forge.pki.Certificate {
  const cert = forge.pki.createCertificate()
  cert.publicKey = forge.pki.publicKeyFromPem(req.publicPem)
  cert.serialNumber = serial()
  const notBefore = req.notBefore ?? new Date(Date.now() - 5 * 60_000)
  cert.validity.notBefore = notBefore
  cert.validity.notAfter = new Date(notBefore.getTime() + req.days * 86_400_000)
  const subject = [
    {name: 'commonName', value: req.subjectCN},
    {name: 'organizationName', value: 'ppctl local platform'},
  ]
  cert.setSubject(subject)
  cert.setIssuer(req.issuer ? req.issuer.subject.attributes : subject)
  const extensions: object[] = [{name: 'basicConstraints', cA: Boolean(req.ca), critical: true}, {name: 'subjectKeyIdentifier'}]
  if (req.ca) {
    extensions.push({name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true})
  } else {
    extensions.push({name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true})
    extensions.push({name: 'extKeyUsage', serverAuth: !req.clientAuth, clientAuth: Boolean(req.clientAuth)})
  }
  const altNames = [...(req.dnsNames ?? []).map((value) => ({type: 2, value})), ...(req.ipAddresses ?? []).map((ip) => ({type: 7, ip}))]
  if (altNames.length > 0) extensions.push({name: 'subjectAltName', altNames})
  if (req.issuer) extensions.push({name: 'authorityKeyIdentifier', keyIdentifier: req.issuer.generateSubjectKeyIdentifier().getBytes()})
  cert.setExtensions(extensions)
  cert.sign(forge.pki.privateKeyFromPem(toPkcs1(req.signerKeyPem)), forge.md.sha256.create())
  return cert
}

/** forge reads PKCS#1 and PKCS#8 RSA keys; this normalizes to PKCS#1 PEM. */
function toPkcs1(pem: string): string {
  return createPrivateKey(pem).export({type: 'pkcs1', format: 'pem'}).toString()
}

export function certificateDer(cert: forge.pki.Certificate): Buffer {
  return Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary')
}

export function thumbprints(der: Buffer): {s256: string; sha1: string} {
  return {
    s256: createHash('sha256').update(der).digest('base64url'),
    sha1: createHash('sha1').update(der).digest('hex').toUpperCase(),
  }
}

/** A certificate's public key as a signature JWK, named by its SHA-256 thumbprint, with x5c and x5t#S256. */
export function certificateJwk(publicPem: string, der: Buffer) {
  const {s256} = thumbprints(der)
  return {
    ...createPublicKey(publicPem).export({format: 'jwk'}),
    kid: s256,
    use: 'sig',
    x5c: [der.toString('base64')],
    'x5t#S256': s256,
  }
}

/** Loads the CA and server certificate from `dataDir/tls`, creating them at first start (keys 0600). */
export function ensureTls(dataDir: string): TlsMaterial {
  const dir = join(dataDir, 'tls')
  const caFile = join(dir, 'ca.pem')
  const certFile = join(dir, 'server.pem')
  const keyFile = join(dir, 'server-key.pem')
  if (existsSync(caFile) && existsSync(certFile) && existsSync(keyFile)) {
    const certPem = readFileSync(certFile, 'utf8')
    const notAfter = forge.pki.certificateFromPem(certPem).validity.notAfter
    if (notAfter.getTime() - Date.now() > 7 * 86_400_000) {
      return {caFile, caPem: readFileSync(caFile, 'utf8'), certPem, keyPem: readFileSync(keyFile, 'utf8')}
    }
  }
  const caKey = rsaKeyPair()
  const ca = issueCertificate({subjectCN: 'ppctl local platform CA', publicPem: caKey.publicPem, signerKeyPem: caKey.privatePem, days: 3650, ca: true})
  const serverKey = rsaKeyPair()
  const server = issueCertificate({
    subjectCN: 'sandbox.localhost',
    publicPem: serverKey.publicPem,
    signerKeyPem: caKey.privatePem,
    issuer: ca,
    days: 397,
    dnsNames: SERVER_NAMES,
    ipAddresses: ['127.0.0.1', '::1'],
  })
  const caPem = forge.pki.certificateToPem(ca)
  const certPem = forge.pki.certificateToPem(server)
  writeFileSyncAtomic(join(dir, 'ca-key.pem'), caKey.privatePem, 0o600)
  writeFileSyncAtomic(keyFile, serverKey.privatePem, 0o600)
  writeFileSyncAtomic(caFile, caPem, 0o644)
  writeFileSyncAtomic(certFile, certPem + caPem, 0o644)
  return {caFile, caPem, certPem: certPem + caPem, keyPem: serverKey.privatePem}
}
