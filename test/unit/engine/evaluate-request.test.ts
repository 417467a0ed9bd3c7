// The engine with its I/O handed in: a counting registry and a scripted verifier. No module mocking.
import {
  countingRegistry,
  deps,
  DIGEST,
  input,
  pass,
  podRequest,
  snapshot,
  type VerifyFn,
} from './engine-fixtures';
import { evaluateRequest } from '../../../src/engine/evaluate-request';
import { compilePolicies } from '../../../src/policy';
import { toNamespaceLabelFacts } from '../../../src/policy/decide/namespace-labels';
import { VerifyError } from '../../../src/verifiers/errors';
import type { Evidence } from '../../../src/verifiers/verifier.types';
import { clusterPolicy, secretsOf } from '../policy/helpers';

describe('evaluateRequest', () => {
  it('resolves the same tag once for several containers of one pod (coalesced)', async () => {
    const reg = countingRegistry();
    const img = 'registry.example.com/team/app:1';
    const result = await evaluateRequest(input(podRequest([img, img, img]), snapshot), deps(reg, pass));
    expect(result.decision.allowed).toBe(true);
    expect(reg.resolves).toBe(1);
  });

  it('coalesces concurrent requests for the same tag, and verifies the digest once (cache)', async () => {
    const reg = countingRegistry(20);
    let verifies = 0;
    const d = deps(reg, async (t, a) => {
      verifies += 1;
      return pass(t, a, undefined as never);
    });
    const img = 'registry.example.com/team/app:1';
    const [a, b] = await Promise.all([
      evaluateRequest(input(podRequest([img]), snapshot), d),
      evaluateRequest(input(podRequest([img]), snapshot), d),
    ]);
    expect([a.decision.allowed, b.decision.allowed]).toEqual([true, true]);
    expect(reg.resolves).toBe(1);
    await evaluateRequest(input(podRequest([img]), snapshot), d);
    expect(reg.resolves).toBe(2); // with --tag-ttl 0 a tag is resolved again on every request
    expect(verifies).toBe(1); // the two concurrent requests shared one verification
    const before = verifies;
    await evaluateRequest(input(podRequest([img]), snapshot), d);
    expect(verifies).toBe(before); // the digest's verdict came from the cache
  });

  it('never caches a failure: a newly signed image verifies on the next request', async () => {
    const reg = countingRegistry();
    let signed = false;
    const d = deps(reg, async (t, a) => {
      if (!signed) throw new VerifyError('VERIFY_NO_SIGNATURES', 'no signatures');
      return pass(t, a, undefined as never);
    });
    const req = podRequest(['registry.example.com/team/app:1']);
    expect((await evaluateRequest(input(req, snapshot), d)).decision.allowed).toBe(false);
    signed = true;
    expect((await evaluateRequest(input(req, snapshot), d)).decision.allowed).toBe(true);
  });

  it('denies by the deadline when a verifier never answers', async () => {
    const reg = countingRegistry();
    const d = deps(reg, () => new Promise<Evidence>(() => undefined));
    const started = Date.now();
    const result = await evaluateRequest(
      input(podRequest(['registry.example.com/team/app:1']), snapshot, 300),
      d,
    );
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(result.decision.allowed).toBe(false);
    expect(result.decision.message).toContain('ADMISSION_DEADLINE_EXCEEDED');
  });

  it('fails closed when a verifier throws something unexpected', async () => {
    const d = deps(countingRegistry(), () => Promise.reject(new TypeError('boom')));
    const result = await evaluateRequest(input(podRequest(['registry.example.com/team/app:1']), snapshot), d);
    expect(result.decision.allowed).toBe(false);
    expect(result.decision.message).toContain('ENGINE_INTERNAL_ERROR');
  });

  it('contacts no registry for an ungoverned image, and denies it under --no-match deny', async () => {
    const reg = countingRegistry();
    const result = await evaluateRequest(
      input(podRequest(['other.example.com/x:1']), snapshot),
      deps(reg, pass),
    );
    expect(result.decision.allowed).toBe(false);
    expect(result.decision.message).toContain('POLICY_NO_MATCH');
    expect(reg.resolves).toBe(0);
  });

  it('denies images governed by a policy that failed to compile, without contacting the registry', async () => {
    const broken = compilePolicies([clusterPolicy({ mode: 'enfroce' })], { secrets: secretsOf() });
    expect(broken.broken).toHaveLength(1);
    const reg = countingRegistry();
    const result = await evaluateRequest(
      input(podRequest(['registry.example.com/team/app:1']), broken),
      deps(reg, pass),
    );
    expect(result.decision.allowed).toBe(false);
    expect(result.decision.message).toContain('POLICY_NOT_READY');
    expect(reg.resolves).toBe(0);
  });

  it('skips review of DELETE entirely', async () => {
    const reg = countingRegistry();
    const req = { ...podRequest(['registry.example.com/team/app:1']), operation: 'DELETE' as const };
    const result = await evaluateRequest(input(req, snapshot), deps(reg, pass));
    expect(result).toMatchObject({ reviewed: false, decision: { allowed: true } });
    expect(reg.resolves).toBe(0);
  });
});

describe('evaluateRequest: namespaceSelector with the labels known or not', () => {
  const teamOnly = compilePolicies(
    [clusterPolicy({ namespaceSelector: { matchLabels: { team: 'payments' } } }, 'team-only')],
    { secrets: secretsOf() },
  );
  const unsigned: VerifyFn = async () => {
    throw new VerifyError('VERIFY_NO_SIGNATURES', 'no signatures');
  };
  const img = 'registry.example.com/team/app:1';

  it.each([
    ['unknown (no label source): the policy applies, with a warning', undefined, false, 1],
    ['known and matching: the policy applies', { team: 'payments' }, false, 0],
    ['known and not matching: ungoverned, --no-match allow admits', { team: 'web' }, true, 0],
  ] as const)('labels %s', async (_name, labels, allowed, notes) => {
    const reg = countingRegistry();
    const result = await evaluateRequest(
      {
        ...input(podRequest([img]), teamOnly),
        namespaceLabels: toNamespaceLabelFacts('team-a', labels),
        noMatch: 'allow',
      },
      deps(reg, unsigned),
    );
    expect(result.decision.allowed).toBe(allowed);
    expect(result.decision.message ?? '').toContain(allowed ? '' : 'VERIFY_NO_SIGNATURES');
    const selectorNotes = result.decision.warnings.filter((w) => w.includes('namespaceSelector'));
    expect(selectorNotes).toHaveLength(notes);
    if (notes > 0) expect(selectorNotes[0]).toContain('needs label "team"');
  });

  describe('warm path (issue 12)', () => {
    const pinned = `registry.example.com/team/app@${DIGEST}`;

    it('answers a digest reference whose verdicts are cached without any registry request', async () => {
      const reg = countingRegistry();
      let verifies = 0;
      const d = deps(reg, async (t, a) => {
        verifies += 1;
        return pass(t, a, undefined as never);
      });
      expect((await evaluateRequest(input(podRequest([pinned]), snapshot), d)).decision.allowed).toBe(true);
      const [resolves, verified] = [reg.resolves, verifies];
      const warm = await evaluateRequest(input(podRequest([pinned, pinned]), snapshot), d);
      expect(warm.decision.allowed).toBe(true);
      expect(warm.decision.verified.map((v) => v.digest)).toEqual([DIGEST, DIGEST]);
      expect([reg.resolves - resolves, verifies - verified]).toEqual([0, 0]);
    });

    it('does not ask for the manifest of a digest reference unless the verifier needs its descriptor', async () => {
      const reg = countingRegistry();
      const d = deps(reg, pass);
      expect((await evaluateRequest(input(podRequest([pinned]), snapshot), d)).decision.allowed).toBe(true);
      expect(reg.resolves).toBe(0);
      const needs = deps(countingRegistry(), async (t, a) => {
        const descriptor = await t.descriptor();
        await t.descriptor(); // memoised: one request
        return pass({ ...t, digest: descriptor.digest }, a, undefined as never);
      });
      expect((await evaluateRequest(input(podRequest([pinned]), snapshot), needs)).decision.allowed).toBe(
        true,
      );
      expect((needs.registry as ReturnType<typeof countingRegistry>).resolves).toBe(1);
    });

    it("denies a digest reference when the registry's descriptor names another digest", async () => {
      const other = `registry.example.com/team/app@sha256:${'ef'.repeat(32)}`;
      const d = deps(countingRegistry(), async (t, a) => {
        await t.descriptor();
        return pass(t, a, undefined as never);
      });
      const result = await evaluateRequest(input(podRequest([other]), snapshot), d);
      expect(result.decision.allowed).toBe(false);
      expect(result.decision.message).toContain('ENGINE_RESOLVED_WRONG_DIGEST');
    });

    it('reuses a tag resolution for the TTL, then resolves again', async () => {
      let clock = 1_000_000;
      const now = (): number => clock;
      const reg = countingRegistry(0);
      const d = deps(reg, pass, now, 30_000);
      const req = podRequest(['registry.example.com/team/app:1']);
      await evaluateRequest(input(req, snapshot), d);
      await evaluateRequest(input(req, snapshot), d);
      expect(reg.resolves).toBe(1);
      clock += 30_000;
      await evaluateRequest(input(req, snapshot), d);
      expect(reg.resolves).toBe(2);
    });

    it('100 concurrent admissions of one new tag cause one resolution and one verification', async () => {
      const reg = countingRegistry(20);
      let verifies = 0;
      const d = deps(reg, async (t, a) => {
        verifies += 1;
        await new Promise((r) => setTimeout(r, 20));
        return pass(t, a, undefined as never);
      });
      const req = podRequest(['registry.example.com/team/app:new']);
      const results = await Promise.all(
        Array.from({ length: 100 }, () => evaluateRequest(input(req, snapshot), d)),
      );
      expect(results.every((r) => r.decision.allowed)).toBe(true);
      expect([reg.resolves, verifies]).toEqual([1, 1]);
    });
  });
});
