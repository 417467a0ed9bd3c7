import { decide } from '../../../../src/policy/decide/decide';
import {
  MAX_MESSAGE_IMAGES,
  MAX_WARNING_CHARS,
  MAX_WARNINGS,
} from '../../../../src/policy/decide/decide-format';
import { isAvailabilityErrorCode } from '../../../../src/policy/decide/decide-image';
import type { Decision } from '../../../../src/policy/decide/decision.types';
import { DIGEST, FAIL, OK, facts, fakePolicy, keyAuthority, request } from '../helpers';

const P = fakePolicy({ name: 'release-signed' });
const PID = 'ClusterImagePolicy/release-signed';
const IMAGE = 'registry.example.com/team/app:1.0';

// lastLine returns the closing line of a denial message.
const lastLine = (d: Decision) => (d.message ?? '').split('\n').pop() ?? '';

// expectValidAnnotationKeys checks keys are qualified-name-like and ≤ 63 characters.
function expectValidAnnotationKeys(d: Decision): void {
  for (const key of Object.keys(d.auditAnnotations)) {
    expect(key).toMatch(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/);
    expect(key.length).toBeLessThanOrEqual(63);
  }
}

describe('decide: references and --no-match', () => {
  const invalid = facts(
    [],
    {},
    {
      image: 'Bad Image',
      normalized: undefined,
      digest: undefined,
      invalid: { code: 'REFERENCE_INVALID', reason: 'spaces are not allowed' },
    },
  );

  test.each(['allow', 'warn', 'deny'] as const)(
    'an invalid reference is denied even with --no-match %s',
    (noMatch) => {
      const d = decide(request({ noMatch }), [invalid]);
      expect(d.allowed).toBe(false);
      expect(d.code).toBe(403);
      expect(d.message).toMatch(/^image "Bad Image" \(spec\.containers\[0\]\.image\)/);
      expect(d.message).toContain('[REFERENCE_INVALID] spaces are not allowed');
      expect(lastLine(d)).toBe('hint: fix the image reference');
    },
  );

  test('break-glass cannot admit an invalid reference', () => {
    const d = decide(request({ breakGlassRequested: true }), [invalid]);
    expect(d.allowed).toBe(false);
    expect(d.breakGlassUsed).toBe(false);
    expect(d.message).toContain(
      'break-glass refused: [POLICY_BREAK_GLASS_REFUSED] break-glass cannot admit an invalid image reference',
    );
  });

  const ungoverned = facts([], {}, { digest: undefined });
  test('no policy + deny → denied with advice', () => {
    const d = decide(request({ noMatch: 'deny' }), [ungoverned]);
    expect(d.allowed).toBe(false);
    expect(d.message).toContain(
      `[POLICY_NO_MATCH] no ImagePolicy or ClusterImagePolicy governs image ${IMAGE}`,
    );
    expect(lastLine(d)).toContain('or run portcullis with --no-match allow');
    expect(d.verified).toEqual([]);
  });

  test('no policy + warn → admitted with a warning', () => {
    const d = decide(request({ noMatch: 'warn' }), [ungoverned]);
    expect(d.allowed).toBe(true);
    expect(d.warnings).toEqual([
      expect.stringContaining('no ImagePolicy or ClusterImagePolicy governs it (--no-match warn)'),
    ]);
  });

  test('no policy + allow → admitted silently, not verified', () => {
    const d = decide(request({ noMatch: 'allow' }), [ungoverned]);
    expect(d).toMatchObject({ allowed: true, warnings: [], verified: [], breakGlassUsed: false });
  });
});

describe('decide: policies', () => {
  test('a passing enforce policy admits and marks the image verified', () => {
    const d = decide(request(), [facts([P], { [PID]: [OK()] })]);
    expect(d.allowed).toBe(true);
    expect(d.message).toBeUndefined();
    expect(d.verified).toEqual([
      {
        field: 'spec.containers[0].image',
        pointer: '/spec/containers/0/image',
        image: IMAGE,
        digest: DIGEST,
      },
    ]);
    expect(d.images).toMatchObject([
      {
        image: IMAGE,
        field: 'spec.containers[0].image',
        verdicts: [{ policyId: PID, mode: 'enforce', passed: true, reasons: [] }],
      },
    ]);
  });

  test('a failing enforce policy denies, naming image, digest, policy, authority and a hint', () => {
    const d = decide(request(), [facts([P], { [PID]: [FAIL()] })]);
    expect(d.allowed).toBe(false);
    expect(d.code).toBe(403);
    const msg = d.message ?? '';
    expect(
      msg.startsWith(`image "${IMAGE}" (spec.containers[0].image) resolved to ${DIGEST} is denied:`),
    ).toBe(true);
    expect(msg).toContain(
      `policy ${PID}: [POLICY_THRESHOLD_NOT_MET] 0 of 1 authorities verified; 1 required`,
    );
    expect(msg).toContain(
      `authority "release-manager": [VERIFY_NO_SIGNATURES] no cosign signatures found for ${DIGEST}`,
    );
    expect(lastLine(d)).toMatch(
      /^hint: sign the image with the key of authority "release-manager" \(cosign sign --key <key> registry\.example\.com\/team\/app@sha256:/,
    );
    expect(lastLine(d)).toContain('ask an SRE about break-glass');
    expect(d.verified).toEqual([]);
  });

  test.each([
    [1, [OK('a'), FAIL('b')], true],
    [2, [OK('a'), FAIL('b')], false],
    [2, [OK('a'), OK('b')], true],
  ])('threshold %i with outcomes → allowed=%s', (threshold, outcomes, allowed) => {
    const p = fakePolicy({
      name: 'release-signed',
      threshold,
      authorities: [keyAuthority('a'), keyAuthority('b')],
    });
    const d = decide(request(), [facts([p], { [PID]: outcomes })]);
    expect(d.allowed).toBe(allowed);
    if (!allowed) expect(d.message).toContain('authority "b": [VERIFY_NO_SIGNATURES]');
  });

  test('every governing policy must pass', () => {
    const q = fakePolicy({ kind: 'ImagePolicy', name: 'team', namespace: 'team-a' });
    const d = decide(request(), [facts([P, q], { [PID]: [OK()], [q.id]: [FAIL()] })]);
    expect(d.allowed).toBe(false);
    expect(d.message).toContain('policy ImagePolicy/team-a/team');
    expect(d.message).not.toContain(`policy ${PID}`);
  });

  test('requireDigest denies a reference without digest, even when signed', () => {
    const p = fakePolicy({ name: 'release-signed', requireDigest: true });
    const d = decide(request(), [facts([p], {})]);
    expect(d.allowed).toBe(false);
    expect(d.message).toContain('[POLICY_DIGEST_REQUIRED]');
    expect(lastLine(d)).toContain('reference the image by digest (registry.example.com/team/app@sha256:…');
    const pinned = facts(
      [p],
      { [PID]: [OK()] },
      {
        image: `registry.example.com/team/app@${DIGEST}`,
        normalized: `registry.example.com/team/app@${DIGEST}`,
      },
    );
    expect(decide(request(), [pinned]).allowed).toBe(true);
  });

  test('a resolution failure denies by default', () => {
    const d = decide(request(), [
      facts(
        [P],
        {},
        {
          digest: undefined,
          resolveError: {
            code: 'REGISTRY_UNREACHABLE',
            reason: 'connection refused to registry.example.com',
          },
        },
      ),
    ]);
    expect(d.allowed).toBe(false);
    expect(d.message).toContain('[REGISTRY_UNREACHABLE] connection refused');
    expect(lastLine(d)).toContain("imagePullSecrets or the policy's registry.credentials");
  });

  test('a policy with no verification result fails closed', () => {
    const d = decide(request(), [facts([P], {})]);
    expect(d.allowed).toBe(false);
    expect(d.message).toContain('[POLICY_NOT_EVALUATED]');
  });

  test('a broken policy stand-in denies with POLICY_NOT_READY and says to fix the policy', () => {
    const broken = fakePolicy({ name: 'broken', authorities: [] });
    const reason =
      'policy ClusterImagePolicy/broken failed to compile, so the images it governs are denied: spec.mode: bad';
    const d = decide(request(), [
      facts([broken], {
        [broken.id]: [{ authority: 'policy', ok: false, code: 'POLICY_NOT_READY', reason }],
      }),
    ]);
    expect(d.allowed).toBe(false);
    expect(d.message).toContain(`policy ClusterImagePolicy/broken: [POLICY_NOT_READY] ${reason}`);
    expect(lastLine(d)).toContain('fix policy ClusterImagePolicy/broken');
  });

  test('verifier warnings reach the user on success', () => {
    const d = decide(request(), [
      facts([P], {
        [PID]: [{ authority: 'release-manager', ok: true, summary: 's', warnings: ['legacy .sig format'] }],
      }),
    ]);
    expect(d.warnings).toEqual([
      `[policy ${PID}] image "${IMAGE}" (spec.containers[0].image): authority "release-manager": legacy .sig format`,
    ]);
  });
});

describe('decide: modes', () => {
  test('warn mode admits with a warning naming policy, image and reason', () => {
    const p = fakePolicy({ name: 'release-signed', mode: 'warn' });
    const d = decide(request(), [facts([p], { [PID]: [FAIL()] })]);
    expect(d.allowed).toBe(true);
    expect(d.warnings).toHaveLength(1);
    expect(d.warnings[0]).toMatch(
      /^\[policy ClusterImagePolicy\/release-signed\] image "registry\.example\.com\/team\/app:1\.0" .*VERIFY_NO_SIGNATURES/,
    );
    expect(d.verified).toEqual([]);
  });

  test('audit mode admits silently but records the failure', () => {
    const p = fakePolicy({ name: 'release-signed', mode: 'audit' });
    const d = decide(request(), [facts([p], { [PID]: [FAIL()] })]);
    expect(d.allowed).toBe(true);
    expect(d.warnings).toEqual([]);
    expect(d.images[0]?.verdicts).toEqual([
      expect.objectContaining({ policyId: PID, mode: 'audit', passed: false }),
    ]);
    expect(d.auditAnnotations['audit-failures']).toContain(
      `${PID} registry.example.com/team/app:1.0@${DIGEST}: `,
    );
    expect(d.auditAnnotations['audit-failures']).toContain('VERIFY_NO_SIGNATURES');
    expectValidAnnotationKeys(d);
  });
});

describe('decide: break-glass', () => {
  const failing = (over: Parameters<typeof fakePolicy>[0] = {}) => {
    const p = fakePolicy({ name: 'release-signed', ...over });
    return [facts([p], { [PID]: [FAIL()] })];
  };

  test('admits, audits in annotations and warns when every failing policy allows it', () => {
    const d = decide(request({ breakGlassRequested: true, breakGlassReason: 'INC-42 hotfix' }), failing());
    expect(d.allowed).toBe(true);
    expect(d.breakGlassUsed).toBe(true);
    expect(d.auditAnnotations).toMatchObject({
      'break-glass': 'true',
      'break-glass-reason': 'INC-42 hotfix',
      'break-glass-images': `registry.example.com/team/app:1.0@${DIGEST} (${PID})`,
    });
    expect(d.warnings[0]).toMatch(
      /^break-glass used by "alice" \(reason: INC-42 hotfix\): admitted despite failing policies/,
    );
    expect(d.verified).toEqual([]);
    expectValidAnnotationKeys(d);
  });

  test.each([
    [
      'breakGlass.allowed: false',
      { allowed: false, requireReason: false, allowedGroups: [] },
      {},
      `policy ${PID} sets breakGlass.allowed: false`,
    ],
    [
      'reason required',
      { allowed: true, requireReason: true, allowedGroups: [] },
      { breakGlassReason: '  ' },
      'requires a reason: set annotation portcullis.dev/break-glass-reason',
    ],
    [
      'user not in groups',
      { allowed: true, requireReason: false, allowedGroups: ['sre', 'oncall'] },
      { userGroups: ['dev'] },
      'is in none of the groups policy ClusterImagePolicy/release-signed allows to break glass (sre, oncall)',
    ],
  ])('is refused when %s', (_n, breakGlass, req, why) => {
    const d = decide(request({ breakGlassRequested: true, ...req }), failing({ breakGlass }));
    expect(d.allowed).toBe(false);
    expect(d.breakGlassUsed).toBe(false);
    expect(d.message).toMatch(/\nbreak-glass refused: .+\nhint: /);
    expect(d.message).toContain(why);
    expect(d.auditAnnotations['break-glass']).toBe('refused');
    expect(lastLine(d)).not.toContain('break-glass');
  });

  test('admits when the user is in an allowed group and gives the required reason', () => {
    const breakGlass = { allowed: true, requireReason: true, allowedGroups: ['sre'] };
    const d = decide(
      request({ breakGlassRequested: true, breakGlassReason: 'outage', userGroups: ['sre'] }),
      failing({ breakGlass }),
    );
    expect(d.allowed).toBe(true);
    expect(d.breakGlassUsed).toBe(true);
  });

  test('one refusing policy among several failing ones refuses the whole request', () => {
    const a = fakePolicy({ name: 'a' });
    const b = fakePolicy({
      name: 'b',
      breakGlass: { allowed: false, requireReason: false, allowedGroups: [] },
    });
    const d = decide(request({ breakGlassRequested: true }), [
      facts([a, b], { [a.id]: [FAIL()], [b.id]: [FAIL()] }),
    ]);
    expect(d.allowed).toBe(false);
    expect(d.message).toContain('policy ClusterImagePolicy/b sets breakGlass.allowed: false');
    expect(d.message).not.toContain('policy ClusterImagePolicy/a sets');
  });

  test('a request with nothing failing is admitted without using break-glass', () => {
    const d = decide(request({ breakGlassRequested: true }), [facts([P], { [PID]: [OK()] })]);
    expect(d).toMatchObject({
      allowed: true,
      breakGlassUsed: false,
      auditAnnotations: { 'break-glass': 'not-needed' },
    });
  });

  test('break-glass can admit an ungoverned image under --no-match deny', () => {
    const d = decide(request({ breakGlassRequested: true }), [facts([], {}, { digest: undefined })]);
    expect(d).toMatchObject({ allowed: true, breakGlassUsed: true });
    expect(d.auditAnnotations['break-glass-images']).toContain('(--no-match deny)');
  });

  test('the reason is flattened and bounded (user-controlled), and a cut is marked', () => {
    const raw = `line1\nline2\r\n${'x'.repeat(1000)}`;
    const d = decide(request({ breakGlassRequested: true, breakGlassReason: raw }), failing());
    const reason = d.auditAnnotations['break-glass-reason'] ?? '';
    expect(reason).not.toMatch(/[\n\r]/);
    expect(reason).toMatch(/^line1 line2 x+… \(cut: the reason has 1013 characters\)$/);
    expect(reason.length).toBeLessThanOrEqual(256 + '… (cut: the reason has 1013 characters)'.length);
  });
});

describe('decide: bounds', () => {
  test('many denied images are listed up to MAX_MESSAGE_IMAGES, the rest counted', () => {
    const images = Array.from({ length: MAX_MESSAGE_IMAGES + 3 }, (_, i) =>
      facts(
        [P],
        { [PID]: [FAIL()] },
        { image: `registry.example.com/team/app${i}:1`, field: `spec.containers[${i}].image` },
      ),
    );
    const d = decide(request(), images);
    expect(d.message?.match(/^image "/gm)).toHaveLength(MAX_MESSAGE_IMAGES);
    expect(d.message).toContain('… and 3 more denied images');
    expect(lastLine(d)).toMatch(/^hint: /);
  });

  test('warnings are single-line, bounded in length and in number', () => {
    const p = fakePolicy({ name: 'release-signed', mode: 'warn' });
    const images = Array.from({ length: MAX_WARNINGS + 5 }, (_, i) =>
      facts(
        [p],
        { [PID]: [FAIL()] },
        { image: `evil\n${'y'.repeat(400)}${i}`, field: `spec.containers[${i}].image` },
      ),
    );
    const d = decide(request(), images);
    expect(d.warnings).toHaveLength(MAX_WARNINGS);
    expect(d.warnings[MAX_WARNINGS - 1]).toBe('… and 6 more warnings');
    for (const w of d.warnings) {
      expect(w).not.toMatch(/[\n\r]/);
      expect(w.length).toBeLessThanOrEqual(MAX_WARNING_CHARS);
    }
  });

  test('attacker-controlled image strings are quoted safely in messages', () => {
    const d = decide(request(), [facts([P], { [PID]: [FAIL()] }, { image: 'x"\nforged: line' })]);
    expect(d.message?.split('\n')[0]).toBe(
      'image "x\\"\\u000aforged: line" (spec.containers[0].image) resolved to ' + DIGEST + ' is denied:',
    );
  });
});

describe('isAvailabilityErrorCode', () => {
  test.each([
    ['REGISTRY_UNREACHABLE', true],
    ['REGISTRY_TIMEOUT', true],
    ['ADMISSION_DEADLINE_EXCEEDED', true],
    ['REGISTRY_RATE_LIMITED', true],
    ['REGISTRY_UNAVAILABLE', false],
    ['REGISTRY_BAD_RESPONSE', false],
    ['REGISTRY_DIGEST_MISMATCH', false],
    ['ENGINE_INTERNAL_ERROR', false],
    ['REGISTRY_UNAUTHORIZED', false],
    ['REGISTRY_MANIFEST_NOT_FOUND', false],
    ['VERIFY_NO_SIGNATURES', false],
    ['VERIFY_SIGNATURE_INVALID', false],
  ])('%s → %s', (code, expected) => {
    expect(isAvailabilityErrorCode(code)).toBe(expected);
  });
});
