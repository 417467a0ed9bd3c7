// Strict break-glass (docs/policy.md, "Break-glass"): the reason rules, allowedGroups judged on what people
// submit and inherited by the cluster's controllers, and ungoverned images under --no-match deny.
import { decide } from '../../../../src/policy/decide/decide';
import {
  DEFAULT_TRUSTED_CONTROLLERS,
  MAX_BREAK_GLASS_REASON_CHARS,
} from '../../../../src/policy/decide/break-glass';
import type { CompiledPolicy } from '../../../../src/policy/compile/compiled.types';
import type { Decision, RequestFacts } from '../../../../src/policy/decide/decision.types';
import { FAIL, OK, facts, fakePolicy, request } from '../helpers';

const REFUSED = '[POLICY_BREAK_GLASS_REFUSED]';
const SRE_ONLY = { allowed: true, requireReason: false, allowedGroups: ['sre'] };
const REASON_REQUIRED = { allowed: true, requireReason: true, allowedGroups: [] };
const REPLICASET_CONTROLLER = 'system:serviceaccount:kube-system:replicaset-controller';

// policy is the one policy governing the test image, with a breakGlass block.
const policy = (breakGlass: CompiledPolicy['breakGlass']): CompiledPolicy =>
  fakePolicy({ name: 'release-signed', breakGlass });

// failing / passing: the image as that policy judges it.
const failing = (p: CompiledPolicy) => [facts([p], { [p.id]: [FAIL()] })];
const passing = (p: CompiledPolicy) => [facts([p], { [p.id]: [OK()] })];

// glass is a request for break-glass, with overrides.
const glass = (over: Partial<RequestFacts> = {}): RequestFacts =>
  request({
    breakGlassRequested: true,
    breakGlassAnnotation: 'portcullis.dev/break-glass',
    breakGlassReason: 'INC-42',
    ...over,
  });

// expectRefused checks a denial that names the refusal code and `why`, and records the refusal.
function expectRefused(d: Decision, why: string): void {
  expect(d.allowed).toBe(false);
  expect(d.breakGlassUsed).toBe(false);
  expect(d.code).toBe(403);
  expect(d.message).toContain(`break-glass refused: ${REFUSED}`);
  expect(d.message).toContain(why);
  expect(d.auditAnnotations['break-glass']).toBe('refused');
}

describe('decide: break-glass reason rules (requireReason: true)', () => {
  const over = 'x'.repeat(MAX_BREAK_GLASS_REASON_CHARS + 1);
  test.each([
    ['absent', undefined, 'requires a reason: set annotation portcullis.dev/break-glass-reason'],
    ['only spaces', '   \t ', 'requires a reason: set annotation portcullis.dev/break-glass-reason'],
    ['a zero-width space', '\u200b', 'has no visible character'],
    ['format characters (BOM, word joiner, ZWJ)', '\ufeff\u2060\u200d', 'has no visible character'],
    ['control characters', '\u0001\u007f\u0085', 'has no visible character'],
    ['combining marks alone', '\u0301\u0308', 'has no visible character'],
    ['a Hangul filler and a blank Braille pattern', '\u3164\u2800', 'has no visible character'],
    [
      'one character over the limit',
      over,
      `requires a reason of at most ${MAX_BREAK_GLASS_REASON_CHARS} characters, and annotation portcullis.dev/break-glass-reason has ${MAX_BREAK_GLASS_REASON_CHARS + 1}: shorten it`,
    ],
  ])('refuses a reason that is %s', (_name, breakGlassReason, why) => {
    const d = decide(glass({ breakGlassReason }), failing(policy(REASON_REQUIRED)));
    expectRefused(d, why);
  });

  test.each([
    ['exactly at the limit', 'y'.repeat(MAX_BREAK_GLASS_REASON_CHARS)],
    ['a single visible letter among zero-width ones', '\u200bA\u200b'],
    ['a letter with a combining mark', 'e\u0301'],
    ['at the limit in astral characters (counted as one each)', '😀'.repeat(MAX_BREAK_GLASS_REASON_CHARS)],
  ])('accepts a reason %s', (_name, breakGlassReason) => {
    const d = decide(glass({ breakGlassReason }), failing(policy(REASON_REQUIRED)));
    expect(d).toMatchObject({ allowed: true, breakGlassUsed: true });
  });
});

describe('decide: break-glass reason when no policy requires one', () => {
  const allowAll = policy({ allowed: true, requireReason: false, allowedGroups: [] });

  test('an over-long reason is admitted, recorded cut with a visible marker, and the user is told', () => {
    const raw = `${'z'.repeat(MAX_BREAK_GLASS_REASON_CHARS)}TAIL`;
    const d = decide(glass({ breakGlassReason: raw }), failing(allowAll));
    expect(d).toMatchObject({ allowed: true, breakGlassUsed: true });
    const recorded = d.auditAnnotations['break-glass-reason'] ?? '';
    expect(recorded).toBe(
      `${'z'.repeat(MAX_BREAK_GLASS_REASON_CHARS)}… (cut: the reason has ${raw.length} characters)`,
    );
    expect(d.warnings).toContainEqual(
      `annotation portcullis.dev/break-glass-reason has ${raw.length} characters; only the first ${MAX_BREAK_GLASS_REASON_CHARS} are recorded`,
    );
  });

  test('a reason with nothing visible is recorded as no reason, with a warning', () => {
    const d = decide(glass({ breakGlassReason: '\u200b\u200b' }), failing(allowAll));
    expect(d).toMatchObject({ allowed: true, breakGlassUsed: true });
    expect(d.auditAnnotations['break-glass-reason']).toBeUndefined();
    expect(d.warnings[0]).toContain('(no reason given)');
    expect(d.warnings).toContainEqual(
      expect.stringContaining('has no visible character; recorded as no reason'),
    );
  });

  test.each([
    [
      'newlines and C0/C1 controls become spaces',
      'INC-1\n\rforged: yes\u0085\u0007end',
      'INC-1 forged: yes end',
    ],
    ['line and paragraph separators become spaces', 'a\u2028b\u2029c', 'a b c'],
    [
      'bidi overrides and zero-width characters are escaped',
      'ok\u202egnp.exe\u200b',
      'ok\\u202egnp.exe\\u200b',
    ],
  ])('control characters never reach the record raw: %s', (_name, breakGlassReason, recorded) => {
    const d = decide(glass({ breakGlassReason }), failing(allowAll));
    expect(d.auditAnnotations['break-glass-reason']).toBe(recorded);
    expect(d.warnings[0]).toContain(`(reason: ${recorded})`);
  });
});

describe('decide: allowedGroups and trusted controllers', () => {
  const sre = policy(SRE_ONLY);

  test.each([
    ['a person in an allowed group', 'alice', ['sre', 'system:authenticated']],
    ['the replicaset controller (default trusted list)', REPLICASET_CONTROLLER, ['system:serviceaccounts']],
    ['kube-controller-manager itself', 'system:kube-controller-manager', []],
  ])('%s breaks glass on a failing image', (_name, userName, userGroups) => {
    const d = decide(glass({ userName, userGroups }), failing(sre));
    expect(d).toMatchObject({ allowed: true, breakGlassUsed: true });
    expect(d.auditAnnotations['break-glass']).toBe('true');
  });

  test('every default trusted controller is one of kube-controller-manager’s identities', () => {
    expect([...DEFAULT_TRUSTED_CONTROLLERS].sort()).toEqual(
      [
        'system:kube-controller-manager',
        ...[
          'cronjob-controller',
          'daemon-set-controller',
          'deployment-controller',
          'job-controller',
          'replicaset-controller',
          'replication-controller',
          'statefulset-controller',
        ].map((n) => `system:serviceaccount:kube-system:${n}`),
      ].sort(),
    );
  });

  test('a person outside the groups is refused, told why, which groups are allowed and what to do', () => {
    const d = decide(glass({ userName: 'bob', userGroups: ['dev', 'system:authenticated'] }), failing(sre));
    expectRefused(
      d,
      'user "bob" (groups: "dev", "system:authenticated") is in none of the groups policy ClusterImagePolicy/release-signed allows to break glass (sre)',
    );
    expect(d.message).toContain(
      'ask a member of sre to apply it, or remove annotation portcullis.dev/break-glass',
    );
  });

  test.each([
    ['passing images', passing],
    ['failing images', failing],
  ])('a person outside the groups is refused even with %s (a planted annotation)', (_n, images) => {
    const d = decide(glass({ userName: 'bob', userGroups: ['dev'] }), images(sre));
    expectRefused(d, 'even on an object whose images pass today');
  });

  test('with passing images the denial says the images pass and ends with a hint', () => {
    const d = decide(glass({ userName: 'bob', userGroups: ['dev'] }), passing(sre));
    expect(d.message?.split('\n')[0]).toBe(
      'every image passes its policies, but the object requests break-glass, which is refused:',
    );
    expect(d.message?.split('\n').pop()).toMatch(/^hint: remove the break-glass annotation/);
  });

  test('a person outside the groups is refused by a governing policy that is not among the judged images', () => {
    // An UPDATE judges only changed images; the policy of an unchanged one still counts.
    const other = fakePolicy({ name: 'other' });
    const d = decide(
      glass({ userName: 'bob', userGroups: ['dev'], breakGlassPolicies: [sre] }),
      passing(other),
    );
    expectRefused(d, 'allows to break glass (sre)');
  });

  test('an object without a break-glass request is judged as usual by a person outside the groups', () => {
    const d = decide(request({ userName: 'bob', userGroups: ['dev'] }), passing(sre));
    expect(d).toMatchObject({ allowed: true, breakGlassUsed: false, auditAnnotations: {} });
  });

  test('a policy that forbids break-glass does not add a group refusal when its images pass', () => {
    const closed = policy({ allowed: false, requireReason: false, allowedGroups: ['sre'] });
    const d = decide(glass({ userName: 'bob', userGroups: ['dev'] }), passing(closed));
    expect(d.allowed).toBe(true);
  });

  test('a trusted controller still needs a reason where the policy requires one', () => {
    const strict = policy({ allowed: true, requireReason: true, allowedGroups: ['sre'] });
    const d = decide(
      glass({ userName: REPLICASET_CONTROLLER, userGroups: [], breakGlassReason: '\u200b' }),
      failing(strict),
    );
    expectRefused(d, 'has no visible character');
  });

  test.each([
    ['a listed operator inherits', 'my-operator', true],
    ['the replicaset controller, not listed any more, does not', REPLICASET_CONTROLLER, false],
  ])('the trusted list is configurable: %s', (_n, userName, allowed) => {
    const breakGlassSettings = { trustedControllers: ['my-operator'], ungoverned: 'admit' as const };
    const d = decide(glass({ userName, userGroups: [], breakGlassSettings }), failing(sre));
    expect(d.allowed).toBe(allowed);
    if (!allowed) expectRefused(d, 'allows to break glass (sre)');
  });

  test('the user’s groups are named up to a bound', () => {
    const userGroups = Array.from({ length: 25 }, (_, i) => `g${i}`);
    const d = decide(glass({ userName: 'bob', userGroups }), failing(sre));
    expect(d.message).toContain('"g9", … 15 more)');
    expect(d.message).not.toContain('"g10"');
  });
});

describe('decide: the break-glass annotation value', () => {
  test.each([
    ['portcullis.dev/break-glass', ' TRUE '],
    ['portcullis.dev/break-glass', 'True'],
    ['oracle.image-policy.k8s.io/break-glass', 'yes'],
  ])('%s: %j is not a request; the user is warned it must be exactly "true"', (annotation, value) => {
    const p = policy({ allowed: true, requireReason: false, allowedGroups: [] });
    const d = decide(request({ breakGlassNearMiss: { annotation, value } }), failing(p));
    expect(d.allowed).toBe(false);
    expect(d.breakGlassUsed).toBe(false);
    expect(d.message).not.toContain('break-glass refused');
    expect(d.warnings).toContainEqual(
      `annotation ${annotation} is ${JSON.stringify(value)}, so break-glass was NOT requested: its value must be exactly "true" (lower case, no spaces)`,
    );
  });

  test('the near-miss warning is given on an admitted request too', () => {
    const p = policy({ allowed: true, requireReason: false, allowedGroups: [] });
    const nearMiss = { annotation: 'portcullis.dev/break-glass', value: 'True' };
    const d = decide(request({ breakGlassNearMiss: nearMiss }), passing(p));
    expect(d.allowed).toBe(true);
    expect(d.warnings).toEqual([expect.stringContaining('so break-glass was NOT requested')]);
  });
});

describe('decide: ungoverned images under --no-match deny', () => {
  const ungoverned = [facts([], {}, { digest: undefined })];

  test('admit (the default, OKE behaviour): admitted and audited', () => {
    const d = decide(glass(), ungoverned);
    expect(d).toMatchObject({ allowed: true, breakGlassUsed: true });
    expect(d.auditAnnotations['break-glass-images']).toContain('(--no-match deny)');
  });

  test('deny: refused, saying why', () => {
    const breakGlassSettings = {
      trustedControllers: DEFAULT_TRUSTED_CONTROLLERS,
      ungoverned: 'deny' as const,
    };
    const d = decide(glass({ breakGlassSettings }), ungoverned);
    expectRefused(
      d,
      'break-glass cannot admit an image that no policy governs (this webhook runs with --break-glass-ungoverned deny)',
    );
    expect(d.message).toContain('[POLICY_NO_MATCH]');
  });

  test('deny: the hint of a request without break-glass does not suggest it', () => {
    const breakGlassSettings = {
      trustedControllers: DEFAULT_TRUSTED_CONTROLLERS,
      ungoverned: 'deny' as const,
    };
    const d = decide(request({ breakGlassSettings }), ungoverned);
    expect(d.message?.split('\n').pop()).not.toContain('break-glass');
    const admit = decide(request(), ungoverned);
    expect(admit.message?.split('\n').pop()).toContain('ask an SRE about break-glass');
  });
});
