// registry.onError: allowVerified — when the registry is unreachable, only what this replica verified within
// maxStaleness is admitted; nothing never verified, nothing older, nothing under another onError.
import { evaluateRequest } from '../../../src/engine/evaluate-request';
import { compilePolicies } from '../../../src/policy';
import { registryError } from '../../../src/registry/errors';
import { VerifyError } from '../../../src/verifiers/errors';
import type { Descriptor, RegistryReader } from '../../../src/registry/registry.types';
import type { PolicySnapshot } from '../../../src/policy-sources/snapshot';
import { clusterPolicy, secretsOf } from '../policy/helpers';
import { deps, DIGEST, input, pass, podRequest, type VerifyFn } from './engine-fixtures';

const PINNED = `registry.example.com/team/app@${DIGEST}`;
const TAGGED = 'registry.example.com/team/app:1';
const MINUTE = 60_000;

// outage is a registry that can be switched off; while off every request is REGISTRY_UNREACHABLE.
function outage(): RegistryReader & { down: boolean } {
  const unreachable = () =>
    registryError('REGISTRY_UNREACHABLE', { registry: 'registry.example.com' }, 'connection refused');
  const reg = {
    down: false,
    async resolve(): Promise<Descriptor> {
      if (reg.down) throw unreachable();
      return { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: DIGEST, size: 100 };
    },
    getManifest: () => Promise.reject(unreachable()),
    listReferrers: () => Promise.reject(unreachable()),
    getBlob: () => Promise.reject(unreachable()),
  };
  return reg;
}

// verifyThrough passes while the registry is up and fails like a verifier that cannot reach it otherwise.
function verifyThrough(reg: { down: boolean }): VerifyFn {
  return async (t, a, c) => {
    if (reg.down) {
      throw registryError('REGISTRY_UNREACHABLE', { registry: 'registry.example.com' }, 'connection refused');
    }
    return pass(t, a, c);
  };
}

// snapshotWith compiles the default cluster policy with `registry`.
function snapshotWith(registry: Record<string, unknown>): PolicySnapshot {
  return compilePolicies([clusterPolicy({ registry })], { secrets: secretsOf() });
}

// scenario verifies `image` once, takes the registry down `laterMs` later, and evaluates again.
async function scenario(
  image: string,
  registry: Record<string, unknown>,
  laterMs: number,
  verifyFirst = true,
) {
  let clock = 1_000_000_000;
  const reg = outage();
  const d = deps(reg, verifyThrough(reg), () => clock, 30_000);
  const snapshot = snapshotWith(registry);
  if (verifyFirst) {
    const first = await evaluateRequest(input(podRequest([image]), snapshot), d);
    expect(first.decision.allowed).toBe(true);
  }
  clock += laterMs;
  reg.down = true;
  return (await evaluateRequest(input(podRequest([image]), snapshot), d)).decision;
}

describe('registry.onError: allowVerified', () => {
  const allowVerified = { onError: 'allowVerified', maxStaleness: '1h' };

  it('admits a digest verified within maxStaleness, with a warning naming the outage', async () => {
    const decision = await scenario(PINNED, allowVerified, 20 * MINUTE); // verdict cache (10 min) expired
    expect(decision.allowed).toBe(true);
    expect(decision.warnings.join('\n')).toContain('release-manager": registry down; last verified 20m ago');
  });

  it('admits a tag whose last resolution and verification are within maxStaleness', async () => {
    const decision = await scenario(TAGGED, allowVerified, 20 * MINUTE);
    expect(decision.allowed).toBe(true);
    expect(decision.warnings.join('\n')).toContain(
      'registry down; tag pinned to its digest as resolved 20m ago',
    );
  });

  it('warns when only the tag comes from memory (its verdict is still cached)', async () => {
    const decision = await scenario(TAGGED, allowVerified, 5 * MINUTE);
    expect(decision.allowed).toBe(true);
    expect(decision.warnings).toEqual([
      expect.stringContaining('registry down; tag pinned to its digest as resolved 5m ago'),
    ]);
  });

  it('denies a digest verified longer ago than maxStaleness', async () => {
    const decision = await scenario(PINNED, allowVerified, 61 * MINUTE);
    expect(decision.allowed).toBe(false);
    expect(decision.message).toContain('REGISTRY_UNREACHABLE');
  });

  it('denies a tag resolved longer ago than maxStaleness', async () => {
    const decision = await scenario(TAGGED, allowVerified, 61 * MINUTE);
    expect(decision.allowed).toBe(false);
  });

  it('denies what was never verified', async () => {
    const decision = await scenario(PINNED, allowVerified, 0, false);
    expect(decision.allowed).toBe(false);
    expect(decision.message).toContain('REGISTRY_UNREACHABLE');
  });

  it('denies under onError: deny, whatever was verified before', async () => {
    const decision = await scenario(PINNED, { onError: 'deny' }, 20 * MINUTE);
    expect(decision.allowed).toBe(false);
  });

  it('never turns a verification failure into an admission', async () => {
    let clock = 1_000_000_000;
    const reg = outage();
    let signed = true;
    const d = deps(
      reg,
      async (t, a, c) => {
        if (!signed) throw new VerifyError('VERIFY_NO_SIGNATURES', 'no signatures');
        return pass(t, a, c);
      },
      () => clock,
    );
    const snapshot = snapshotWith(allowVerified);
    expect((await evaluateRequest(input(podRequest([PINNED]), snapshot), d)).decision.allowed).toBe(true);
    clock += 20 * MINUTE;
    signed = false;
    expect((await evaluateRequest(input(podRequest([PINNED]), snapshot), d)).decision.allowed).toBe(false);
  });
});
