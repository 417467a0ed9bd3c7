import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import type { CompiledPublicKey } from '../compile/compiled.types';
import { MAX_PEM_LENGTH } from '../crd/schema';
import { PolicyError, type FieldError } from '../errors';

/** Most public keys one authority may list. */
export const MAX_KEYS_PER_AUTHORITY = 16;
/** Shortest RSA modulus we accept. */
export const MIN_RSA_BITS = 2048;
/** Hex characters of a key id shown in messages. */
export const SHORT_KEY_ID_HEX = 12;

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END ([A-Z0-9 ]+)-----/g;
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
// The key types Node reports (KeyObject.asymmetricKeyType) that we accept; toCompiledKey handles each.
const SUPPORTED_KEY_TYPES = ['ec', 'rsa', 'ed25519'] as const;
type SupportedKeyType = (typeof SUPPORTED_KEY_TYPES)[number];
const CURVES: Readonly<Record<string, CompiledPublicKey['curve']>> = {
  prime256v1: 'P-256',
  secp384r1: 'P-384',
  secp521r1: 'P-521',
};

/** `sha256:` plus the first hex characters of a key id, for messages. */
export function shortKeyId(id: string): string {
  const [algo, hex = ''] = id.split(':');
  return hex.length > SHORT_KEY_ID_HEX ? `${algo}:${hex.slice(0, SHORT_KEY_ID_HEX)}…` : id;
}

// keyError builds the one error type keys fail with; the message never contains key material.
export function keyError(path: string, message: string, cause?: unknown): PolicyError {
  const fieldErrors: FieldError[] = [{ path, code: 'POLICY_KEY_INVALID', message }];
  return new PolicyError('POLICY_KEY_INVALID', `${path}: ${message}`, {
    cause,
    fieldErrors,
    details: { field: path },
  });
}

/**
 * Parses one PEM public key, or several concatenated, into compiled keys (once, at policy compile time).
 * Accepts ECDSA P-256/P-384/P-521, RSA ≥ 2048 bits and Ed25519. Throws PolicyError POLICY_KEY_INVALID
 * naming `path` and what is wrong; never quotes the text, which might be a private key pasted by mistake.
 */
export function parsePublicKeys(text: string, path: string, context?: string): CompiledPublicKey[] {
  try {
    return parseKeyText(text, path);
  } catch (error) {
    if (context === undefined || !(error instanceof PolicyError)) throw error;
    throw keyError(path, `${context}: ${error.fieldErrors[0]?.message ?? error.message}`, error.cause);
  }
}

// parseKeyText splits the PEM blocks and parses each; errors name the block when there are several.
function parseKeyText(text: string, path: string): CompiledPublicKey[] {
  if (Buffer.byteLength(text, 'utf8') > MAX_PEM_LENGTH) {
    throw keyError(path, `key text is larger than ${MAX_PEM_LENGTH} bytes`);
  }
  const blocks = [...text.matchAll(PEM_BLOCK)];
  const rest = text.replace(PEM_BLOCK, '').trim();
  if (/PRIVATE KEY/.test(text)) {
    throw keyError(
      path,
      'private key given: paste the PUBLIC key (cosign.pub), and rotate the private key if it leaked',
    );
  }
  if (blocks.length === 0) {
    throw keyError(
      path,
      'not a PEM public key: expected "-----BEGIN PUBLIC KEY-----" … "-----END PUBLIC KEY-----"',
    );
  }
  if (rest.length > 0) {
    throw keyError(path, 'unexpected text outside the PEM blocks (a truncated or mangled key?)');
  }
  if (blocks.length > MAX_KEYS_PER_AUTHORITY) {
    throw keyError(path, `${blocks.length} keys given; at most ${MAX_KEYS_PER_AUTHORITY} are allowed`);
  }
  const keys = new Map<string, CompiledPublicKey>();
  blocks.forEach((block, i) => {
    try {
      const key = parseOnePem(block[0], block[1] ?? '', block[3] ?? '', path);
      keys.set(key.id, key);
    } catch (error) {
      if (blocks.length === 1 || !(error instanceof PolicyError)) throw error;
      throw keyError(
        path,
        `PEM block ${i + 1} of ${blocks.length}: ${error.fieldErrors[0]?.message ?? ''}`,
        error.cause,
      );
    }
  });
  return [...keys.values()];
}

// parseOnePem checks the PEM label, then parses and vets one key.
function parseOnePem(pem: string, label: string, endLabel: string, path: string): CompiledPublicKey {
  if (label !== endLabel)
    throw keyError(path, `PEM block begins with "${label}" but ends with "${endLabel}"`);
  if (label === 'CERTIFICATE') {
    throw keyError(
      path,
      'a certificate, not a public key: extract its key with `openssl x509 -pubkey -noout -in cert.pem`',
    );
  }
  if (label !== 'PUBLIC KEY' && label !== 'RSA PUBLIC KEY') {
    throw keyError(path, `unexpected PEM block "${label}": expected "PUBLIC KEY"`);
  }
  let keyObject: KeyObject;
  try {
    keyObject = createPublicKey({ key: pem, format: 'pem' });
  } catch (error) {
    throw keyError(
      path,
      'not a PEM public key: the block does not decode to a public key (damaged base64 or DER?)',
      error,
    );
  }
  return toCompiledKey(keyObject, path);
}

/** Vets a parsed public key (type, curve, size) and computes its id; throws POLICY_KEY_INVALID. */
export function toCompiledKey(keyObject: KeyObject, path: string): CompiledPublicKey {
  const spki = keyObject.export({ type: 'spki', format: 'der' });
  const id = `sha256:${createHash('sha256').update(spki).digest('hex')}`;
  const type = keyObject.asymmetricKeyType;
  if (!isSupportedKeyType(type)) {
    throw keyError(
      path,
      `${type ?? 'unknown'} keys are not supported: use ECDSA (P-256/384/521), RSA or Ed25519`,
    );
  }
  switch (type) {
    case 'ec': {
      const named = keyObject.asymmetricKeyDetails?.namedCurve ?? 'unknown';
      const curve = CURVES[named];
      if (!curve) throw keyError(path, `ECDSA curve ${named} is not supported: use P-256, P-384 or P-521`);
      return { id, type: 'ecdsa', curve, keyObject };
    }
    case 'rsa': {
      const bits = keyObject.asymmetricKeyDetails?.modulusLength ?? 0;
      if (bits < MIN_RSA_BITS)
        throw keyError(path, `RSA key too short: ${bits} bits; at least ${MIN_RSA_BITS} are required`);
      return { id, type: 'rsa', keyObject };
    }
    case 'ed25519': {
      if (
        spki.length !== ED25519_SPKI_PREFIX.length + 32 ||
        !spki.subarray(0, 12).equals(ED25519_SPKI_PREFIX)
      ) {
        throw keyError(path, 'malformed Ed25519 public key');
      }
      return { id, type: 'ed25519', keyObject, ed25519Raw: new Uint8Array(spki.subarray(12)) };
    }
  }
}

// isSupportedKeyType narrows Node's open list of key types to the ones toCompiledKey handles.
function isSupportedKeyType(type: string | undefined): type is SupportedKeyType {
  return (SUPPORTED_KEY_TYPES as readonly (string | undefined)[]).includes(type);
}
