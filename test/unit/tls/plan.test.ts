// planRotation: every transition of the self-managed TLS rotation, driven by the clock.
import fc from 'fast-check';
import {
  CA_ROLLOVER_BEFORE_MS,
  DAY_MS,
  DEFAULT_ROTATION_DURATIONS,
  planRotation,
  type CaFacts,
  type RotationActionKind,
  type SecretFacts,
  type ServingFacts,
} from '../../../src/tls';

const T0 = Date.UTC(2030, 0, 1);
const OVERLAP = DEFAULT_ROTATION_DURATIONS.overlapMs;
const OLD: CaFacts = { id: 'old', notBefore: T0 - 300 * DAY_MS, notAfter: T0 + 200 * DAY_MS };
const NEW: CaFacts = { id: 'new', notBefore: T0, notAfter: T0 + 365 * DAY_MS };

// serving builds a valid serving certificate issued at `at` by `issuerId`, 90 days long.
function serving(issuerId: string | undefined, at = T0, extra: Partial<ServingFacts> = {}): ServingFacts {
  return { notBefore: at, notAfter: at + 90 * DAY_MS, issuerId, namesOk: true, keyMatches: true, ...extra };
}

// steady is the one-CA state: published since T0, serving cert issued at T0.
function steady(extra: Partial<SecretFacts> = {}): SecretFacts {
  return {
    cas: [OLD],
    signerKeyMatches: true,
    incomingKeyMatches: false,
    serving: serving('old'),
    bundlePublishedAt: T0,
    servingIssuedAt: T0,
    ...extra,
  };
}

// incoming: rollover started at `at` (new CA second, with its key), serving still from the old CA.
function incoming(at: number, extra: Partial<SecretFacts> = {}): SecretFacts {
  return steady({ cas: [OLD, NEW], incomingKeyMatches: true, bundlePublishedAt: at, ...extra });
}

// outgoing: the new CA signs (first), the old one is still trusted; serving moved at `at`.
function outgoing(at: number, extra: Partial<SecretFacts> = {}): SecretFacts {
  return steady({ cas: [NEW, OLD], serving: serving('new', at), servingIssuedAt: at, ...extra });
}

describe('planRotation', () => {
  test.each<[string, RotationActionKind, number, SecretFacts | undefined, boolean]>([
    ['no usable CA in the Secret', 'reissue-all', T0, undefined, true],
    ['an empty bundle', 'reissue-all', T0, steady({ cas: [] }), true],
    ['ca.key is not the first CA’s key', 'reissue-all', T0, steady({ signerKeyMatches: false }), true],
    ['the signing CA has expired', 'reissue-all', OLD.notAfter, steady(), true],
    ['a webhook does not trust the bundle yet', 'publish-bundle', T0, steady(), false],
    ['published but not recorded', 'record-published', T0, steady({ bundlePublishedAt: undefined }), true],
    ['no serving certificate', 'renew-serving', T0, steady({ serving: undefined }), true],
    [
      'tls.key does not match',
      'renew-serving',
      T0,
      steady({ serving: serving('old', T0, { keyMatches: false }) }),
      true,
    ],
    [
      'a DNS name is missing',
      'renew-serving',
      T0,
      steady({ serving: serving('old', T0, { namesOk: false }) }),
      true,
    ],
    [
      'serving cert chains to no bundle CA',
      'renew-serving',
      T0,
      steady({ serving: serving(undefined) }),
      true,
    ],
    ['serving cert expired', 'renew-serving', T0 + 90 * DAY_MS, steady(), true],
    ['serving cert at 2/3 of its life', 'renew-serving', T0 + 60 * DAY_MS, steady(), true],
    ['serving cert just before 2/3 of its life', 'keep', T0 + 60 * DAY_MS - 1, steady(), true],
    [
      'CA expires in 30 days',
      'start-rollover',
      OLD.notAfter - CA_ROLLOVER_BEFORE_MS,
      steady({ serving: serving('old', T0 + 150 * DAY_MS) }),
      true,
    ],
    [
      'CA expires in 30 days and 1 ms',
      'keep',
      OLD.notAfter - CA_ROLLOVER_BEFORE_MS - 1,
      steady({ serving: serving('old', T0 + 150 * DAY_MS) }),
      true,
    ],
    ['rollover started, overlap not over', 'keep', T0 + OVERLAP - 1, incoming(T0), true],
    ['rollover started, overlap over', 'finish-rollover', T0 + OVERLAP, incoming(T0), true],
    [
      'rollover started but the new bundle is not published',
      'publish-bundle',
      T0 + OVERLAP,
      incoming(T0),
      false,
    ],
    [
      'rollover started, publication not recorded',
      'record-published',
      T0 + OVERLAP,
      incoming(T0, { bundlePublishedAt: undefined }),
      true,
    ],
    ['serving moved, overlap not over', 'keep', T0 + OVERLAP - 1, outgoing(T0), true],
    ['serving moved, overlap over', 'drop-old-ca', T0 + OVERLAP, outgoing(T0), true],
    [
      'serving moved, old CA already expired',
      'drop-old-ca',
      OLD.notAfter,
      outgoing(OLD.notAfter - 1000),
      true,
    ],
    [
      'two CAs, serving still from the outgoing one',
      'renew-serving',
      T0,
      outgoing(T0, { serving: serving('old') }),
      true,
    ],
  ])('%s → %s', (_name, kind, now, secret, published) => {
    expect(planRotation(now, { secret, published }).kind).toBe(kind);
  });

  test('honours a configured overlap', () => {
    const durations = { ...DEFAULT_ROTATION_DURATIONS, overlapMs: 3 * DAY_MS };
    const state = { secret: incoming(T0), published: true };
    expect(planRotation(T0 + 2 * DAY_MS, state, durations).kind).toBe('keep');
    expect(planRotation(T0 + 3 * DAY_MS, state, durations).kind).toBe('finish-rollover');
  });

  test('every keep and step carries a reason', () => {
    const action = planRotation(T0, { secret: incoming(T0), published: true });
    expect(action).toEqual({ kind: 'keep', reason: expect.stringContaining('moves to the new CA at') });
  });
});

describe('planRotation invariants (any state, any time)', () => {
  const ids = fc.constantFrom('old', 'new', 'other');
  const time = fc.integer({ min: T0 - 400 * DAY_MS, max: T0 + 400 * DAY_MS });
  const ca = fc.record({ id: ids, notBefore: time, notAfter: time });
  const servingFacts = fc.record({
    notBefore: time,
    notAfter: time,
    issuerId: fc.option(ids, { nil: undefined }),
    namesOk: fc.boolean(),
    keyMatches: fc.boolean(),
  });
  const facts = fc.record({
    cas: fc.array(ca, { minLength: 1, maxLength: 3 }),
    signerKeyMatches: fc.boolean(),
    incomingKeyMatches: fc.boolean(),
    serving: fc.option(servingFacts, { nil: undefined }),
    bundlePublishedAt: fc.option(time, { nil: undefined }),
    servingIssuedAt: fc.option(time, { nil: undefined }),
  });

  test('never drops the CA that signed the served certificate, and drops only a published bundle', () => {
    fc.assert(
      fc.property(time, facts, fc.boolean(), (now, secret, published) => {
        const action = planRotation(now, { secret, published });
        if (action.kind !== 'drop-old-ca') return;
        expect(published).toBe(true);
        // The bundle after the drop is cas[0] alone: it must be the served certificate's issuer.
        expect(secret.serving?.issuerId).toBe(secret.cas[0]?.id);
      }),
      { numRuns: 2000 },
    );
  });

  test('moves the serving certificate to a new CA only after it was published for the whole overlap', () => {
    fc.assert(
      fc.property(time, facts, fc.boolean(), (now, secret, published) => {
        const action = planRotation(now, { secret, published });
        if (action.kind !== 'finish-rollover') return;
        expect(published).toBe(true);
        expect(secret.cas).toHaveLength(2);
        expect(secret.incomingKeyMatches).toBe(true);
        expect(now - (secret.bundlePublishedAt as number)).toBeGreaterThanOrEqual(OVERLAP);
      }),
      { numRuns: 2000 },
    );
  });

  test('renews a serving certificate only from a CA every webhook trusts', () => {
    fc.assert(
      fc.property(time, facts, fc.boolean(), (now, secret, published) => {
        const kind = planRotation(now, { secret, published }).kind;
        if (kind === 'renew-serving' || kind === 'start-rollover') expect(published).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
