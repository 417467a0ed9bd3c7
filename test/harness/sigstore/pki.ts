// A private certificate authority for Fulcio's `fileca` and for key-based signing with a certificate
// (`cosign sign --certificate --certificate-chain`): a root, an intermediate as the public-good Fulcio has one,
// and code-signing leaves. Built in-process with @peculiar/x509 on node's webcrypto (ECDSA P-256).
import 'reflect-metadata';
import { createPrivateKey, randomBytes, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const EC_P256 = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
/** Backdating of every certificate, so a clock a little behind still accepts them. */
const BACKDATE_MS = 60 * 60 * 1000;
/** How long the CA certificates are valid: longer than any test run. */
const CA_VALIDITY_MS = 7 * 24 * 60 * 60 * 1000;

type CryptoKeyPair = webcrypto.CryptoKeyPair;

/** One certificate and its key. `keyPem` is unencrypted PKCS#8. */
export interface Issued {
  readonly certPem: string;
  readonly keyPem: string;
  readonly keys: CryptoKeyPair;
  readonly cert: x509.X509Certificate;
}

/** A root and an intermediate that may sign code-signing certificates. */
export interface PrivateCa {
  readonly root: Issued;
  readonly intermediate: Issued;
  /** PEM of the intermediate then the root: what Fulcio's `--fileca-cert` and a trusted root want. */
  readonly chainPem: string;
}

// serialNumber is 16 random bytes, positive, as RFC 5280 asks.
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return bytes.toString('hex');
}

// pkcs8 exports a webcrypto private key as PEM, encrypted when a password is given.
async function pkcs8(key: webcrypto.CryptoKey, password?: string): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  const object = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  return (
    password === undefined
      ? object.export({ type: 'pkcs8', format: 'pem' })
      : object.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: password })
  ) as string;
}

// generate makes a fresh P-256 key pair that can be exported.
async function generate(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(EC_P256, true, ['sign', 'verify'])) as CryptoKeyPair;
}

// pem turns the library's certificate into PEM with a final newline.
function pem(cert: x509.X509Certificate): string {
  return `${cert.toString('pem')}\n`;
}

/** Creates a root (CN=`name` Root) and an intermediate with the code-signing EKU Fulcio requires of it. */
export async function createPrivateCa(name: string): Promise<PrivateCa> {
  const now = Date.now();
  const rootKeys = await generate();
  const root = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: `O=portcullis-test, CN=${name} Root`,
    notBefore: new Date(now - BACKDATE_MS),
    notAfter: new Date(now + CA_VALIDITY_MS),
    keys: rootKeys,
    signingAlgorithm: EC_P256,
    extensions: [
      new x509.BasicConstraintsExtension(true, 1, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(rootKeys.publicKey),
    ],
  });
  const interKeys = await generate();
  const inter = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: `O=portcullis-test, CN=${name} Intermediate`,
    issuer: root.subject,
    notBefore: new Date(now - BACKDATE_MS),
    notAfter: new Date(now + CA_VALIDITY_MS),
    publicKey: interKeys.publicKey,
    signingKey: rootKeys.privateKey,
    signingAlgorithm: EC_P256,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.codeSigning]),
      await x509.SubjectKeyIdentifierExtension.create(interKeys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(rootKeys.publicKey),
    ],
  });
  const issued = async (cert: x509.X509Certificate, keys: CryptoKeyPair): Promise<Issued> => ({
    cert,
    keys,
    certPem: pem(cert),
    keyPem: await pkcs8(keys.privateKey),
  });
  const rootIssued = await issued(root, rootKeys);
  const interIssued = await issued(inter, interKeys);
  return { root: rootIssued, intermediate: interIssued, chainPem: interIssued.certPem + rootIssued.certPem };
}

/** The intermediate's key as encrypted PKCS#8 (Fulcio's `--fileca-key` must be encrypted). */
export function encryptedCaKey(ca: PrivateCa, password: string): Promise<string> {
  return pkcs8(ca.intermediate.keys.privateKey, password);
}

/** Who a leaf certificate names: an email, a URI, or both (the SAN cosign's --certificate-identity matches). */
export interface LeafIdentity {
  readonly email?: string;
  readonly uri?: string;
}

/** Issues a short-lived code-signing certificate from the intermediate, like Fulcio's but without a log. */
export async function issueCodeSigning(ca: PrivateCa, who: LeafIdentity): Promise<Issued> {
  const now = Date.now();
  const keys = await generate();
  const names: x509.JsonGeneralName[] = [
    ...(who.email === undefined ? [] : [{ type: 'email' as const, value: who.email }]),
    ...(who.uri === undefined ? [] : [{ type: 'url' as const, value: who.uri }]),
  ];
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: '',
    issuer: ca.intermediate.cert.subject,
    notBefore: new Date(now - BACKDATE_MS),
    notAfter: new Date(now + CA_VALIDITY_MS),
    publicKey: keys.publicKey,
    signingKey: ca.intermediate.keys.privateKey,
    signingAlgorithm: EC_P256,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.codeSigning]),
      new x509.SubjectAlternativeNameExtension(names, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(ca.intermediate.keys.publicKey),
    ],
  });
  return { cert, keys, certPem: pem(cert), keyPem: await pkcs8(keys.privateKey) };
}
