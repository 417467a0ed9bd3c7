// Reads ASCII-armored OpenPGP public keys at compile time, synchronously and without a crypto library: enough
// to refuse what is not a public key block and to learn each primary key's fingerprint for messages and cache
// keys. The keys' signatures and algorithms are checked by the OpenPGP library when the verifier first uses them.
import { createHash } from 'node:crypto';
import type { CompiledGpgKey } from '../compile/compiled.types';
import type { FieldError } from '../errors';

const BLOCK = /-----BEGIN PGP ([A-Z ]+)-----\r?\n([\s\S]*?)-----END PGP \1-----/g;
const TAG_SECRET_KEY = 5;
const TAG_PUBLIC_KEY = 6;
const TAG_SECRET_SUBKEY = 7;

/** What one key entry held: its primary keys (fingerprints) and the binary key packets of all its blocks. */
export interface ParsedGpgKeys {
  readonly keys: readonly CompiledGpgKey[];
  readonly binary: Buffer;
}

/**
 * Parses the ASCII-armored public key blocks in `text` (from a policy or a Secret). Pushes POLICY_KEY_INVALID
 * to `errors` (naming `path`) for anything that is not a v4 public key block, and returns undefined then.
 */
export function parseArmoredGpgKeys(
  text: string,
  path: string,
  errors: FieldError[],
): ParsedGpgKeys | undefined {
  const invalid = (message: string): undefined => {
    errors.push({ path, code: 'POLICY_KEY_INVALID', message });
    return undefined;
  };
  const blocks = [...text.matchAll(BLOCK)];
  if (blocks.length === 0)
    return invalid(
      'no "-----BEGIN PGP PUBLIC KEY BLOCK-----" found; export the key with gpg --armor --export <fingerprint>',
    );
  const keys: CompiledGpgKey[] = [];
  const binaries: Buffer[] = [];
  for (const [, kind, body] of blocks) {
    if (kind !== 'PUBLIC KEY BLOCK')
      return invalid(
        `found a PGP ${kind ?? ''}, not a PUBLIC KEY BLOCK; export only the public key (gpg --armor --export)`,
      );
    const binary = dearmor(body ?? '');
    if (typeof binary === 'string') return invalid(binary);
    const found = primaryKeys(binary);
    if (typeof found === 'string') return invalid(found);
    keys.push(...found);
    binaries.push(binary);
  }
  return { keys, binary: Buffer.concat(binaries) };
}

// dearmor decodes one armor body (RFC 4880 §6.2): optional headers, base64 lines, and an optional CRC-24.
function dearmor(body: string): Buffer | string {
  const lines = body.split(/\r?\n/);
  const blank = lines.findIndex((l) => l.trim() === '');
  const data = (
    blank >= 0 && lines.slice(0, blank).every((l) => l.includes(': ')) ? lines.slice(blank + 1) : lines
  )
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const checksum =
    data.length > 0 && /^=[A-Za-z0-9+/]{4}$/.test(data[data.length - 1] ?? '') ? data.pop() : undefined;
  const base64 = data.join('');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64) || base64.length % 4 !== 0)
    return 'the armored key is not valid base64';
  const bytes = Buffer.from(base64, 'base64');
  if (checksum !== undefined && crc24(bytes) !== Buffer.from(checksum.slice(1), 'base64').readUIntBE(0, 3))
    return 'the armored key fails its CRC-24 checksum: it was changed or truncated';
  return bytes;
}

// crc24 is the armor checksum (RFC 4880 §6.1).
function crc24(bytes: Buffer): number {
  let crc = 0xb704ce;
  for (const b of bytes) {
    crc ^= b << 16;
    for (let i = 0; i < 8; i++) {
      crc <<= 1;
      if (crc & 0x1000000) crc ^= 0x1864cfb;
    }
  }
  return crc & 0xffffff;
}

// primaryKeys walks the packet list and fingerprints every v4 primary public key (SHA-1 over 0x99, length, body).
function primaryKeys(bytes: Buffer): CompiledGpgKey[] | string {
  const keys: CompiledGpgKey[] = [];
  let at = 0;
  while (at < bytes.length) {
    const packet = readPacket(bytes, at);
    if (typeof packet === 'string') return packet;
    if (packet.tag === TAG_SECRET_KEY || packet.tag === TAG_SECRET_SUBKEY)
      return 'the block holds a secret key; put only the public key in a policy (gpg --armor --export)';
    if (packet.tag === TAG_PUBLIC_KEY) {
      if (packet.body[0] !== 4)
        return `a version ${packet.body[0] ?? '?'} public key is not supported; use a v4 key`;
      const prefix = Buffer.from([0x99, packet.body.length >> 8, packet.body.length & 0xff]);
      const fingerprint = createHash('sha1').update(prefix).update(packet.body).digest('hex').toUpperCase();
      keys.push({ fingerprint });
    }
    at = packet.end;
  }
  if (keys.length === 0) return 'the block holds no public key packet';
  return keys;
}

// readPacket decodes one packet header (old or new format, RFC 4880 §4.2); partial lengths never occur in keys.
function readPacket(bytes: Buffer, at: number): { tag: number; body: Buffer; end: number } | string {
  const first = bytes[at] ?? 0;
  if ((first & 0x80) === 0) return 'the key data is not an OpenPGP packet list';
  let tag: number;
  let length: number;
  let start: number;
  if (first & 0x40) {
    tag = first & 0x3f;
    const o1 = bytes[at + 1] ?? 0;
    if (o1 < 192) [length, start] = [o1, at + 2];
    else if (o1 < 224) [length, start] = [((o1 - 192) << 8) + (bytes[at + 2] ?? 0) + 192, at + 3];
    else if (o1 === 255 && at + 6 <= bytes.length) [length, start] = [bytes.readUInt32BE(at + 2), at + 6];
    else return 'the key data uses a partial packet length, which keys never use';
  } else {
    tag = (first >> 2) & 0x0f;
    const size = [1, 2, 4][first & 0x03];
    if (size === undefined || at + 1 + size > bytes.length)
      return 'the key data has an indeterminate packet length';
    [length, start] = [bytes.readUIntBE(at + 1, size), at + 1 + size];
  }
  if (start + length > bytes.length) return 'the key data is truncated';
  return { tag, body: bytes.subarray(start, start + length), end: start + length };
}
