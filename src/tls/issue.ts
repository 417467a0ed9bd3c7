// reflect-metadata must load before @peculiar/x509: its dependency tsyringe checks for it at require time.
import 'reflect-metadata';
import { createPrivateKey, randomBytes, webcrypto, type KeyObject } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { TlsError } from './errors';
import { CLOCK_SKEW_MS } from './limits';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;
type Algorithm = webcrypto.Algorithm;

/** A certificate and its private key, both PEM (the key is PKCS#8 and secret: never log it). */
export interface CertAndKey {
  readonly cert: string;
  readonly key: string;
}

/** Creates CAs and serving certificates; tests and the rotator use the real one (ECDSA P-256 is fast). */
export interface CertificateIssuer {
  createCa(now: number, validityMs: number): Promise<CertAndKey>;
  /** A serving certificate for `dnsNames`, signed by `ca`, valid until now + validityMs or the CA's end. */
  issueServing(
    now: number,
    validityMs: number,
    ca: CertAndKey,
    dnsNames: readonly string[],
  ): Promise<CertAndKey>;
}

const EC_P256 = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

// serialNumber is 16 random bytes as hex, positive (the high bit cleared), as RFC 5280 asks.
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return bytes.toString('hex');
}

// toPem exports a generated private key as PKCS#8 PEM.
async function toPem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }).export({
    type: 'pkcs8',
    format: 'pem',
  }) as string;
}

// signingAlgorithm picks the webcrypto algorithm for a CA key: ECDSA (ours) or RSA (Helm's genCA).
function signingAlgorithm(key: KeyObject): {
  import: Algorithm & Record<string, unknown>;
  sign: Algorithm & Record<string, unknown>;
} {
  if (key.asymmetricKeyType === 'rsa') {
    const alg = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
    return { import: alg, sign: alg };
  }
  const curve = key.asymmetricKeyDetails?.namedCurve;
  const namedCurve = curve === 'prime256v1' ? 'P-256' : curve === 'secp384r1' ? 'P-384' : undefined;
  if (key.asymmetricKeyType !== 'ec' || namedCurve === undefined) {
    throw new TlsError(
      'TLS_ISSUE_FAILED',
      `the CA key is ${key.asymmetricKeyType ?? 'unknown'}; only RSA and ECDSA P-256/P-384 can sign`,
    );
  }
  return { import: { name: 'ECDSA', namedCurve }, sign: { name: 'ECDSA', hash: 'SHA-256' } };
}

// importSigner turns a CA's PEM key (PKCS#1, SEC1 or PKCS#8) into a webcrypto signing key.
async function importSigner(pem: string): Promise<{ key: CryptoKey; algorithm: Algorithm }> {
  const keyObject = createPrivateKey(pem);
  const alg = signingAlgorithm(keyObject);
  const der = keyObject.export({ type: 'pkcs8', format: 'der' });
  const key = await webcrypto.subtle.importKey('pkcs8', der, alg.import, false, ['sign']);
  return { key, algorithm: alg.sign };
}

// timestamp names a CA after its creation time, so old and new CA never share a subject.
function timestamp(now: number): string {
  return new Date(now)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

// wrap turns a failure of the X.509 library into our code, once.
async function wrap<T>(what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof TlsError) throw error;
    throw new TlsError('TLS_ISSUE_FAILED', `${what} failed: ${(error as Error).message ?? 'unknown error'}`, {
      cause: error,
    });
  }
}

// authorityKeyId copies the CA's own subject key id (Helm's CAs compute it differently from this library).
function authorityKeyId(ca: x509.X509Certificate): x509.Extension[] {
  const ski = ca.getExtension(x509.SubjectKeyIdentifierExtension);
  return ski === null ? [] : [new x509.AuthorityKeyIdentifierExtension(ski.keyId)];
}

/** The issuer built on @peculiar/x509 and node's webcrypto; new keys are ECDSA P-256. */
export const X509_ISSUER: CertificateIssuer = {
  createCa: (now, validityMs) =>
    wrap('creating a CA', async () => {
      const keys = (await webcrypto.subtle.generateKey(EC_P256, true, ['sign', 'verify'])) as CryptoKeyPair;
      const cert = await x509.X509CertificateGenerator.createSelfSigned({
        serialNumber: serialNumber(),
        name: `CN=portcullis-webhook-ca-${timestamp(now)}`,
        notBefore: new Date(now - CLOCK_SKEW_MS),
        notAfter: new Date(now + validityMs),
        keys,
        signingAlgorithm: EC_P256,
        extensions: [
          new x509.BasicConstraintsExtension(true, 0, true),
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
          await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
        ],
      });
      return { cert: cert.toString('pem') + '\n', key: await toPem(keys.privateKey) };
    }),
  issueServing: (now, validityMs, ca, dnsNames) =>
    wrap('issuing the serving certificate', async () => {
      const caCert = new x509.X509Certificate(ca.cert);
      const signer = await importSigner(ca.key);
      const keys = (await webcrypto.subtle.generateKey(EC_P256, true, ['sign', 'verify'])) as CryptoKeyPair;
      const cert = await x509.X509CertificateGenerator.create({
        serialNumber: serialNumber(),
        subject: `CN=${dnsNames[0] ?? 'portcullis-webhook'}`,
        issuer: caCert.subject,
        notBefore: new Date(now - CLOCK_SKEW_MS),
        notAfter: new Date(Math.min(now + validityMs, caCert.notAfter.getTime())),
        publicKey: keys.publicKey,
        signingKey: signer.key,
        signingAlgorithm: signer.algorithm,
        extensions: [
          new x509.BasicConstraintsExtension(false, undefined, true),
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
          new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
          new x509.SubjectAlternativeNameExtension(
            dnsNames.map((value) => ({ type: 'dns' as const, value })),
          ),
          await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
          ...authorityKeyId(caCert),
        ],
      });
      return { cert: cert.toString('pem') + '\n', key: await toPem(keys.privateKey) };
    }),
};
