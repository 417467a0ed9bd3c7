// Valkey key names. The caller's keys hold image names, digests and policy names; Valkey (and whoever can read
// its keyspace or its slow log) sees only their SHA-256, so no image name or credential leaks into a key name.
import { createHash } from 'node:crypto';
import type { SharedCacheKind } from './shared-cache.types';

// hashOf is the hex SHA-256 of a caller's key.
function hashOf(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** `<prefix>:<kind>:<sha256 of key>`: where an entry of that kind is stored. */
export function entryKey(prefix: string, kind: SharedCacheKind, key: string): string {
  return `${prefix}:${kind}:${hashOf(key)}`;
}

/** `<prefix>:lock:<sha256 of key>`: the single-flight lock of a key. */
export function lockKey(prefix: string, key: string): string {
  return `${prefix}:lock:${hashOf(key)}`;
}
