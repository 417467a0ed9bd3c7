import { createHash, createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import type { CompiledNotaryRootKey } from '../compile/compiled.types';
import { MAX_PEM_LENGTH } from '../crd/schema';
import { keyError, MAX_KEYS_PER_AUTHORITY, toCompiledKey } from './keys';

const PEM_BLOCK = /^\s*-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----\s*$/;
const BASE64 = /^[A-Za-z0-9+/\s]+={0,2}\s*$/;

/**
 * The TUF key id Notary gives a key: the hex sha256 of the canonical JSON
 * `{"keytype":T,"keyval":{"private":null,"public":B64}}`. `publicB64` is `keyval.public` as written in the
 * metadata (base64 has no character canonical JSON escapes, so the template is exact).
 */
export function tufKeyId(keytype: string, publicB64: string): string {
  const canonical = `{"keytype":${JSON.stringify(keytype)},"keyval":{"private":null,"public":"${publicB64}"}}`;
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}

/**
 * Parses the pinned root keys of a notaryV1 authority, once, at compile time. Each entry is a PEM certificate,
 * a PEM public key, or the base64 of either (the form IBM HPVS contracts use, which is exactly the root key's
 * `keyval.public` in root.json). Throws PolicyError POLICY_KEY_INVALID naming `path[i]`.
 */
export function parseNotaryRootKeys(texts: readonly string[], path: string): CompiledNotaryRootKey[] {
  if (texts.length === 0) throw keyError(path, 'pin at least one root key (a PEM certificate or public key)');
  if (texts.length > MAX_KEYS_PER_AUTHORITY) {
    throw keyError(path, `${texts.length} root keys given; at most ${MAX_KEYS_PER_AUTHORITY} are allowed`);
  }
  return texts.map((text, i) => parseRootKey(text, `${path}[${i}]`));
}

// parseRootKey decodes one entry to PEM, then to a key, and records the TUF key ids its pinned form has.
function parseRootKey(text: string, path: string): CompiledNotaryRootKey {
  if (Buffer.byteLength(text, 'utf8') > MAX_PEM_LENGTH) {
    throw keyError(path, `key text is larger than ${MAX_PEM_LENGTH} bytes`);
  }
  const { pem, base64 } = toPem(text, path);
  const label = PEM_BLOCK.exec(pem)?.[1];
  if (label === undefined || pem.split('-----BEGIN').length !== 2) {
    throw keyError(path, 'expected one PEM certificate or public key, or the base64 of one');
  }
  if (label.includes('PRIVATE KEY')) {
    throw keyError(
      path,
      'private key given: pin the PUBLIC root key or certificate, and rotate the leaked key',
    );
  }
  if (label === 'CERTIFICATE') return fromCertificate(pem, base64, path);
  if (label !== 'PUBLIC KEY') {
    throw keyError(path, `unexpected PEM block "${label}": expected "CERTIFICATE" or "PUBLIC KEY"`);
  }
  let keyObject: KeyObject;
  try {
    keyObject = createPublicKey({ key: pem, format: 'pem' });
  } catch (error) {
    throw keyError(path, 'the PEM block does not decode to a public key (damaged base64 or DER?)', error);
  }
  const key = toCompiledKey(keyObject, path);
  const spki = keyObject.export({ type: 'spki', format: 'der' }).toString('base64');
  const raw = key.ed25519Raw === undefined ? undefined : Buffer.from(key.ed25519Raw).toString('base64');
  return { ...key, tufKeyIds: [raw === undefined ? tufKeyId(key.type, spki) : tufKeyId('ed25519', raw)] };
}

// fromCertificate pins the certificate's public key; its x509 key id is that of the exact PEM bytes given.
function fromCertificate(pem: string, base64: string, path: string): CompiledNotaryRootKey {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pem);
  } catch (error) {
    throw keyError(path, 'the PEM certificate does not parse (damaged base64 or DER?)', error);
  }
  const key = toCompiledKey(cert.publicKey, path);
  if (key.type === 'ed25519') return { ...key, tufKeyIds: [] };
  return { ...key, tufKeyIds: [tufKeyId(`${key.type}-x509`, base64)] };
}

// toPem accepts PEM text as is, or base64 that decodes to PEM text; returns both forms.
function toPem(text: string, path: string): { pem: string; base64: string } {
  if (text.includes('-----BEGIN')) return { pem: text, base64: Buffer.from(text, 'utf8').toString('base64') };
  const compact = text.replace(/\s+/g, '');
  if (!BASE64.test(text) || compact.length === 0) {
    throw keyError(
      path,
      'neither PEM nor base64: expected a PEM certificate or public key, or the base64 of one',
    );
  }
  const decoded = Buffer.from(compact, 'base64').toString('utf8');
  if (!decoded.includes('-----BEGIN')) {
    throw keyError(
      path,
      'the base64 does not decode to PEM: expected the base64 of a PEM certificate or public key',
    );
  }
  return { pem: decoded, base64: compact };
}
