// The pure half of the pinning guarantee: with requirePinned (/validate of a Pod), a governed image named by tag
// fails every governing policy with ADMISSION_NOT_PINNED, following the policy's mode.
import { decide } from '../../../../src/policy';
import { DIGEST, facts, fakePolicy, OK, request } from '../helpers';

const pinned = {
  image: `registry.example.com/team/app:1.0@${DIGEST}`,
  normalized: `registry.example.com/team/app:1.0@${DIGEST}`,
};

describe('decide with requirePinned', () => {
  it('denies a governed image by tag, naming the code, the digest it resolved to and the mutating webhook', () => {
    const p = fakePolicy();
    const d = decide(request({ requirePinned: true }), [facts([p], {}, { skipped: 'not verified' })]);
    expect(d.allowed).toBe(false);
    expect(d.message).toContain('[ADMISSION_NOT_PINNED]');
    expect(d.message).toContain(DIGEST);
    expect(d.message).toMatch(/hint: the mutating webhook/);
  });

  it('admits the same image pinned to its digest', () => {
    const p = fakePolicy();
    const d = decide(request({ requirePinned: true }), [facts([p], { [p.id]: [OK()] }, pinned)]);
    expect(d.allowed).toBe(true);
  });

  it('does not apply without requirePinned (templates, the CLI)', () => {
    const p = fakePolicy();
    const d = decide(request(), [facts([p], { [p.id]: [OK()] })]);
    expect(d.allowed).toBe(true);
  });

  it.each([
    [
      'warn',
      (d: ReturnType<typeof decide>) => expect(d.warnings.join('\n')).toContain('ADMISSION_NOT_PINNED'),
    ],
    [
      'audit',
      (d: ReturnType<typeof decide>) =>
        expect(Object.values(d.auditAnnotations).join('\n')).toContain('ADMISSION_NOT_PINNED'),
    ],
  ] as const)('follows mode %s: admitted, and the failure is reported', (mode, check) => {
    const p = fakePolicy({ mode });
    const d = decide(request({ requirePinned: true }), [facts([p], {}, { skipped: 'not verified' })]);
    expect(d.allowed).toBe(true);
    check(d);
  });

  it('lets registry.onError: allow speak when the tag cannot be resolved at validation either', () => {
    const p = fakePolicy({ registry: { credentials: [], onError: 'allow', maxStalenessMs: 0 } });
    const unresolved = facts([p], {}, { resolveError: { code: 'REGISTRY_UNREACHABLE', reason: 'down' } });
    const { digest: _unused, ...noDigest } = unresolved;
    const d = decide(request({ requirePinned: true }), [noDigest]);
    expect(d.allowed).toBe(true);
    expect(d.warnings.join('\n')).toContain('WITHOUT verification');
  });

  it('is not admitted through onError: allow when the tag resolves (the mutating webhook just failed)', () => {
    const p = fakePolicy({ registry: { credentials: [], onError: 'allow', maxStalenessMs: 0 } });
    const d = decide(request({ requirePinned: true }), [facts([p], {}, { skipped: 'not verified' })]);
    expect(d.allowed).toBe(false);
    expect(d.message).toContain('[ADMISSION_NOT_PINNED]');
  });
});
