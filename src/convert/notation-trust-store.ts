// Turns the files of a Notation named trust store (PEM or DER, .pem/.crt/.cer) into PEM certificates to inline
// in a `notation` authority. Anything that is not a certificate is refused; a private key is never echoed.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { PolicyError } from '../policy/errors';
import { MAX_CERTIFICATE_PEM_BYTES, MAX_TRUST_STORE_CERTIFICATES } from '../policy/authorities/notation';
import type { NotationNamedStore, NotationStoreFile } from './notation-trust-policy.types';

/** Most files read from one named store folder. */
export const MAX_NOTATION_STORE_FILES = 64;
/** File name endings Notation reads in a named store. */
export const NOTATION_CERTIFICATE_EXTENSIONS = ['.pem', '.crt', '.cer'] as const;

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;
const PEM_PRIVATE_KEY = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/;
const SEQUENCE_TAG = 0x30;

/**
 * The certificates of a named store as PEM, deduplicated, in file order. `statement` names the trust policy
 * statement for messages. Throws PolicyError POLICY_NOTATION_INVALID for an empty store, a file that is not
 * a certificate, or a private key (whose bytes are never quoted).
 */
export function storeCertificates(store: NotationNamedStore, statement: string): string[] {
  const where = `trust policy "${statement}", trust store ${store.type}:${store.name}`;
  if (store.files.length > MAX_NOTATION_STORE_FILES)
    throw storeError(`${where}: ${store.files.length} files; at most ${MAX_NOTATION_STORE_FILES} are read`);
  const pems = [...new Set(store.files.flatMap((f) => fileCertificates(f, `${where}, file ${f.name}`)))];
  if (pems.length === 0)
    throw storeError(
      `${where}: the folder holds no certificate (.pem, .crt or .cer); Notation fails on an empty store too`,
    );
  if (pems.length > MAX_TRUST_STORE_CERTIFICATES)
    throw storeError(
      `${where}: ${pems.length} certificates; at most ${MAX_TRUST_STORE_CERTIFICATES} are allowed`,
    );
  return pems;
}

// fileCertificates reads one file: PEM text (one or more CERTIFICATE blocks) or DER (one or more certificates).
function fileCertificates(file: NotationStoreFile, where: string): string[] {
  if (file.data.byteLength > MAX_CERTIFICATE_PEM_BYTES)
    throw storeError(`${where}: larger than ${MAX_CERTIFICATE_PEM_BYTES} bytes; is it a certificate?`);
  const bytes = Buffer.from(file.data.buffer, file.data.byteOffset, file.data.byteLength);
  const text = bytes.toString('latin1');
  if (PEM_PRIVATE_KEY.test(text)) throw privateKeyError(where);
  return text.includes('-----BEGIN') ? pemCertificates(text, where) : derCertificates(bytes, where);
}

// pemCertificates re-encodes every CERTIFICATE block; text around the blocks is ignored, as Notation does.
function pemCertificates(text: string, where: string): string[] {
  const blocks = [...text.matchAll(PEM_BLOCK)];
  if (blocks.length === 0) throw storeError(`${where}: a PEM header without a matching END line`);
  return blocks.map((block, n) => {
    const which = blocks.length > 1 ? ` (PEM block ${n + 1})` : '';
    if (block[1] !== 'CERTIFICATE')
      throw storeError(`${where}${which}: a ${block[1] ?? '?'} block; a trust store holds only certificates`);
    try {
      return new X509Certificate(block[0]).toString();
    } catch (error) {
      throw storeError(`${where}${which}: the block is not an X.509 certificate (damaged?)`, error);
    }
  });
}

// derCertificates splits concatenated DER certificates (X509Certificate would silently read only the first).
function derCertificates(bytes: Buffer, where: string): string[] {
  const out: string[] = [];
  for (let offset = 0; offset < bytes.length;) {
    const size = derElementSize(bytes, offset);
    if (size === undefined)
      throw storeError(`${where}: neither a PEM certificate nor DER; Notation reads only certificates here`);
    const element = bytes.subarray(offset, offset + size);
    try {
      out.push(new X509Certificate(element).toString());
    } catch (error) {
      if (isPrivateKeyDer(element)) throw privateKeyError(where);
      throw storeError(`${where}: a DER structure that is not an X.509 certificate`, error);
    }
    offset += size;
  }
  if (out.length === 0) throw storeError(`${where}: the file is empty`);
  return out;
}

// derElementSize is the full size (header + content) of the DER SEQUENCE at `offset`, or undefined.
function derElementSize(bytes: Buffer, offset: number): number | undefined {
  if (bytes[offset] !== SEQUENCE_TAG || offset + 2 > bytes.length) return undefined;
  const first = bytes[offset + 1] ?? 0;
  let length = first;
  let header = 2;
  if (first & 0x80) {
    const count = first & 0x7f;
    if (count === 0 || count > 4 || offset + 2 + count > bytes.length) return undefined;
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + (bytes[offset + 2 + i] ?? 0);
    header += count;
  }
  const size = header + length;
  return offset + size <= bytes.length ? size : undefined;
}

// isPrivateKeyDer recognises PKCS#8 (plain or encrypted), PKCS#1 and SEC1 private keys, to say so plainly.
function isPrivateKeyDer(der: Buffer): boolean {
  for (const type of ['pkcs8', 'pkcs1', 'sec1'] as const) {
    try {
      createPrivateKey({ key: der, format: 'der', type });
      return true;
    } catch (error) {
      if ((error as { code?: string }).code === 'ERR_MISSING_PASSPHRASE') return true;
    }
  }
  return false;
}

// privateKeyError refuses a private key without quoting any of it.
function privateKeyError(where: string): PolicyError {
  return storeError(
    `${where}: this looks like a private key, which must never be in a trust store or a policy. ` +
      'Put only the CA (or signing authority / TSA) certificate there, and rotate the key if it was shared',
  );
}

// storeError builds the conversion error for trust-store content.
function storeError(message: string, cause?: unknown): PolicyError {
  return new PolicyError('POLICY_NOTATION_INVALID', message, cause === undefined ? {} : { cause });
}
