// The integrity envelope of every shared entry. Valkey is not trusted: anyone who can write to it could try to
// plant an "allowed" verdict. Each value is stored with an HMAC-SHA256, keyed by a secret Valkey never sees,
// over (kind, key, expiry, value), so a forged value, a value copied to another key or kind, or an old value
// kept past its expiry (PERSIST, a restored backup) is rejected on read.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { isRecord } from '../guards';
import { MAX_SHARED_CACHE_ENTRY_BYTES } from './limits';
import type { SharedCacheKind } from './shared-cache.types';

/** Why a stored entry was refused; the label of portcullis_shared_cache_rejected_total. */
export type RejectReason = 'oversize' | 'garbage' | 'forged' | 'expired';

export type Opened =
  | { readonly ok: true; readonly value: string; readonly expiresAt: number }
  | { readonly ok: false; readonly reason: RejectReason };

const VERSION = 1;
/** Domain separation: a MAC made for anything else with the same key never verifies here. */
const MAC_CONTEXT = 'portcullis/shared-cache/v1';
const MAC_BYTES = 32;

/** Wraps `value` for storage under (kind, key) until `expiresAt` (epoch ms). */
export function sealEntry(
  hmacKey: Buffer,
  kind: SharedCacheKind,
  key: string,
  value: string,
  expiresAt: number,
): string {
  const mac = macOf(hmacKey, kind, key, value, expiresAt).toString('base64url');
  return JSON.stringify({ v: VERSION, exp: expiresAt, val: value, mac });
}

/**
 * Unwraps what Valkey returned for (kind, key). `raw` is attacker-controlled: its size is checked before it is
 * parsed, its shape before it is used, and its MAC (constant-time) before its value is believed.
 */
export function openEntry(
  hmacKey: Buffer,
  kind: SharedCacheKind,
  key: string,
  raw: string,
  now: number,
): Opened {
  if (Buffer.byteLength(raw, 'utf8') > MAX_SHARED_CACHE_ENTRY_BYTES) return { ok: false, reason: 'oversize' };
  const parsed = parseEntry(raw);
  if (parsed === undefined) return { ok: false, reason: 'garbage' };
  const stored = Buffer.from(parsed.mac, 'base64url');
  const expected = macOf(hmacKey, kind, key, parsed.val, parsed.exp);
  if (stored.length !== MAC_BYTES || !timingSafeEqual(stored, expected))
    return { ok: false, reason: 'forged' };
  if (parsed.exp <= now) return { ok: false, reason: 'expired' };
  return { ok: true, value: parsed.val, expiresAt: parsed.exp };
}

// parseEntry checks the JSON shape of an envelope without trusting any of it.
function parseEntry(raw: string): { exp: number; val: string; mac: string } | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (!isRecord(doc) || doc.v !== VERSION) return undefined;
  const { exp, val, mac } = doc;
  if (typeof exp !== 'number' || !Number.isSafeInteger(exp) || exp < 0) return undefined;
  if (typeof val !== 'string' || typeof mac !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(mac))
    return undefined;
  return { exp, val, mac };
}

// macOf computes the HMAC over length-prefixed fields, so that no two field lists share an encoding.
function macOf(
  hmacKey: Buffer,
  kind: SharedCacheKind,
  key: string,
  value: string,
  expiresAt: number,
): Buffer {
  const mac = createHmac('sha256', hmacKey);
  for (const field of [MAC_CONTEXT, kind, key, String(expiresAt), value]) {
    const bytes = Buffer.from(field, 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    mac.update(length).update(bytes);
  }
  return mac.digest();
}
