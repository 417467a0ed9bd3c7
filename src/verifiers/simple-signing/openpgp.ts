// The OpenPGP step of simple signing: a signature file is an OpenPGP signed message (usually compressed) whose
// literal data is the JSON payload. Only the authority's keys may verify it; OpenPGP.js decides whether a key
// (or the subkey that signed) was valid, unexpired and unrevoked when it signed.
import { readKeys, readMessage, verify, type PartialConfig, type PublicKey } from 'openpgp';
import type { CompiledSimpleSigningAuthority } from '../../policy/compile/compiled.types';
import { MAX_SIMPLE_SIGNING_PAYLOAD_BYTES, SIMPLE_SIGNING_CLOCK_SKEW_MS } from './limits';

/** The newer containers/image blob format: a zero byte, the format name, a newline, then the data. */
const FORMAT_PREFIX = Buffer.from('\0simple-signing\n');
/** Decompression is bounded: a small compressed message must not expand without limit (attacker-controlled). */
const CONFIG: PartialConfig = { maxDecompressedMessageSize: MAX_SIMPLE_SIGNING_PAYLOAD_BYTES };

/** A message one of the authority's keys signed: its literal data, and the primary key that vouches for it. */
export interface GpgVerified {
  readonly ok: true;
  readonly payload: Uint8Array;
  /** The primary key's fingerprint (upper-case hex), also when a subkey signed. */
  readonly fingerprint: string;
}

/** Why a file did not verify: not a message, signed by another key, a key OpenPGP.js refused, or a bad signature. */
export interface GpgRefused {
  readonly ok: false;
  readonly kind: 'format' | 'untrusted-key' | 'key-invalid' | 'signature';
  readonly reason: string;
}

const keyrings = new WeakMap<CompiledSimpleSigningAuthority, Promise<PublicKey[]>>();

/** The authority's keys as OpenPGP.js objects, read once per compiled authority (compiled policies are immutable). */
export function trustedKeys(authority: CompiledSimpleSigningAuthority): Promise<PublicKey[]> {
  let keys = keyrings.get(authority);
  if (!keys) {
    keys = readKeys({ binaryKeys: authority.keyring, config: CONFIG }).then((list) =>
      list.filter((k) => authority.keys.some((c) => c.fingerprint === k.getFingerprint().toUpperCase())),
    );
    keyrings.set(authority, keys);
  }
  return keys;
}

/**
 * Verifies one lookaside file (attacker-controlled bytes) against `keys` at `now` (plus SIMPLE_SIGNING_CLOCK_SKEW_MS
 * for signatures made just now on a machine whose clock is ahead). Never throws.
 */
export async function verifyGpgMessage(
  file: Buffer,
  keys: readonly PublicKey[],
  now: Date,
): Promise<GpgVerified | GpgRefused> {
  let bytes = file;
  if (file[0] === 0) {
    if (!file.subarray(0, FORMAT_PREFIX.length).equals(FORMAT_PREFIX))
      return {
        ok: false,
        kind: 'format',
        reason: 'not a simple-signing signature (another containers/image format)',
      };
    bytes = file.subarray(FORMAT_PREFIX.length);
  }
  try {
    const message = await readMessage({ binaryMessage: new Uint8Array(bytes), config: CONFIG });
    const signers = message.getSigningKeyIDs().map((id) => id.toHex().toUpperCase());
    const trusted = keys.filter((k) =>
      signers.some((id) => k.getKeys().some((sub) => sub.getKeyID().toHex().toUpperCase() === id)),
    );
    if (trusted.length === 0) {
      const by = signers.length > 0 ? `key ID ${signers.join(', ')}` : 'no key';
      return { ok: false, kind: 'untrusted-key', reason: `signed by ${by}, not by a key of this authority` };
    }
    const result = await verify({
      message,
      verificationKeys: trusted,
      format: 'binary',
      date: new Date(now.getTime() + SIMPLE_SIGNING_CLOCK_SKEW_MS),
      config: CONFIG,
    });
    const reasons: string[] = [];
    for (const signature of result.signatures) {
      const key = trusted.find((k) => k.getKeys(signature.keyID).length > 0);
      if (!key) continue;
      try {
        await signature.verified;
        return { ok: true, payload: result.data, fingerprint: key.getFingerprint().toUpperCase() };
      } catch (error) {
        reasons.push(`${key.getFingerprint().toUpperCase()}: ${firstLine(error)}`);
      }
    }
    const text = reasons.join('; ') || 'no signature by a key of this authority';
    const kind =
      /expired|revoked|not valid|no valid/i.test(text) && !/did not match|digest/i.test(text)
        ? 'key-invalid'
        : 'signature';
    return { ok: false, kind, reason: text };
  } catch (error) {
    return {
      ok: false,
      kind: 'signature',
      reason: `not a valid OpenPGP signed message: ${firstLine(error)}`,
    };
  }
}

// firstLine keeps one line of a library error for messages (OpenPGP.js messages are short and carry no secrets).
function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return (text.split('\n')[0] ?? '').slice(0, 200);
}
