// The integrity envelope: only what this key sealed, for this kind and key, before its expiry, opens.
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { openEntry, sealEntry } from '../../../src/shared-cache/envelope';
import { MAX_SHARED_CACHE_ENTRY_BYTES } from '../../../src/shared-cache/limits';

const KEY = randomBytes(32);
const NOW = 1_800_000_000_000;
const sealed = sealEntry(KEY, 'verdict', 'img@sha256:aa|g1|a0', '{"allowed":true}', NOW + 60_000);

// edit parses a sealed entry, changes it, and serialises it again (an attacker with write access to Valkey).
function edit(raw: string, change: (doc: Record<string, unknown>) => void): string {
  const doc = JSON.parse(raw) as Record<string, unknown>;
  change(doc);
  return JSON.stringify(doc);
}

describe('openEntry', () => {
  it('opens what was sealed for the same kind and key before its expiry', () => {
    expect(openEntry(KEY, 'verdict', 'img@sha256:aa|g1|a0', sealed, NOW)).toEqual({
      ok: true,
      value: '{"allowed":true}',
      expiresAt: NOW + 60_000,
    });
  });

  it.each([
    ['another key (moved)', 'verdict', 'img@sha256:bb|g1|a0', sealed, NOW, 'forged'],
    ['another kind (moved)', 'negative', 'img@sha256:aa|g1|a0', sealed, NOW, 'forged'],
    [
      'a changed value',
      'verdict',
      'img@sha256:aa|g1|a0',
      edit(sealed, (d) => (d.val = '{"allowed":false}')),
      NOW,
      'forged',
    ],
    [
      'an extended expiry',
      'verdict',
      'img@sha256:aa|g1|a0',
      edit(sealed, (d) => (d.exp = NOW + 9e9)),
      NOW,
      'forged',
    ],
    [
      'a MAC of the wrong length',
      'verdict',
      'img@sha256:aa|g1|a0',
      edit(sealed, (d) => (d.mac = 'AAAA')),
      NOW,
      'forged',
    ],
    [
      'a zero MAC',
      'verdict',
      'img@sha256:aa|g1|a0',
      edit(sealed, (d) => (d.mac = Buffer.alloc(32).toString('base64url'))),
      NOW,
      'forged',
    ],
    ['an expired entry', 'verdict', 'img@sha256:aa|g1|a0', sealed, NOW + 60_000, 'expired'],
    ['a truncated entry', 'verdict', 'img@sha256:aa|g1|a0', sealed.slice(0, -5), NOW, 'garbage'],
    ['non-JSON garbage', 'verdict', 'img@sha256:aa|g1|a0', '\u0000\u00ffnot json', NOW, 'garbage'],
    ['a JSON string', 'verdict', 'img@sha256:aa|g1|a0', '"allowed"', NOW, 'garbage'],
    ['a JSON array', 'verdict', 'img@sha256:aa|g1|a0', '[1,2]', NOW, 'garbage'],
    ['another version', 'verdict', 'img@sha256:aa|g1|a0', edit(sealed, (d) => (d.v = 2)), NOW, 'garbage'],
    [
      'a non-integer expiry',
      'verdict',
      'img@sha256:aa|g1|a0',
      edit(sealed, (d) => (d.exp = 'soon')),
      NOW,
      'garbage',
    ],
    [
      'a non-string value',
      'verdict',
      'img@sha256:aa|g1|a0',
      edit(sealed, (d) => (d.val = { allowed: true })),
      NOW,
      'garbage',
    ],
    ['a missing MAC', 'verdict', 'img@sha256:aa|g1|a0', edit(sealed, (d) => delete d.mac), NOW, 'garbage'],
    [
      'an oversize entry',
      'verdict',
      'img@sha256:aa|g1|a0',
      'x'.repeat(MAX_SHARED_CACHE_ENTRY_BYTES + 1),
      NOW,
      'oversize',
    ],
  ] as const)('refuses %s', (_name, kind, key, raw, now, reason) => {
    expect(openEntry(KEY, kind, key, raw, now)).toEqual({ ok: false, reason });
  });

  it('refuses an entry sealed with another HMAC key', () => {
    expect(openEntry(randomBytes(32), 'verdict', 'img@sha256:aa|g1|a0', sealed, NOW)).toEqual({
      ok: false,
      reason: 'forged',
    });
  });

  it('keeps field boundaries: (key "a|b", value "c") and (key "a", value "b|c") do not share a MAC', () => {
    const one = sealEntry(KEY, 'verdict', 'a\u0000', 'b', NOW + 1_000);
    const moved = edit(one, (d) => (d.val = '\u0000b'));
    expect(openEntry(KEY, 'verdict', 'a', moved, NOW).ok).toBe(false);
  });

  it('never opens an entry with any single character changed to something else', () => {
    fc.assert(
      fc.property(
        fc.nat(sealed.length - 1),
        fc.string({ minLength: 1, maxLength: 1, unit: 'binary' }),
        (at, c) => {
          fc.pre(sealed[at] !== c);
          const changed = sealed.slice(0, at) + c + sealed.slice(at + 1);
          const opened = openEntry(KEY, 'verdict', 'img@sha256:aa|g1|a0', changed, NOW);
          // A change that keeps the same meaning (e.g. an escape rewritten) may still open to the same value.
          return !opened.ok || (opened.value === '{"allowed":true}' && opened.expiresAt === NOW + 60_000);
        },
      ),
    );
  });
});
