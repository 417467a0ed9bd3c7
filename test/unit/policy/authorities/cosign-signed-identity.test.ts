// Compiling a cosign authority's signedIdentity: the simpleSigning authority's parser and field rules, and no
// combination with attestations (in-toto statements name no docker-reference).
import { compilePolicy } from '../../../../src/policy/compile/compile';
import type { CompiledCosignAuthority } from '../../../../src/policy/compile/compiled.types';
import { PolicyError } from '../../../../src/policy/errors';
import { clusterPolicy, PEM, secretsOf } from '../helpers';

// cosign builds a key authority with fields added.
function cosign(over: Record<string, unknown> = {}): Record<string, unknown> {
  return { name: 'release', cosign: { key: { data: PEM }, ...over } };
}

// compiled returns the first authority of a policy that must compile.
function compiled(over: Record<string, unknown>): CompiledCosignAuthority {
  const policy = compilePolicy(clusterPolicy({ authorities: [cosign(over)] }), { secrets: secretsOf() });
  return policy.authorities[0] as CompiledCosignAuthority;
}

// fieldErrors returns the field errors of a policy that must not compile.
function fieldErrors(over: Record<string, unknown>): { path: string; code: string }[] {
  try {
    compilePolicy(clusterPolicy({ authorities: [cosign(over)] }), { secrets: secretsOf() });
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyError);
    return (error as PolicyError).fieldErrors.map(({ path, code }) => ({ path, code }));
  }
  throw new Error('the policy compiled');
}

describe('cosign signedIdentity', () => {
  it('is absent unless set: the docker-reference is not compared, and verdicts bind the digest alone', () => {
    expect(compiled({}).signedIdentity).toBeUndefined();
    expect(compiled({}).referenceBound).toBe(false);
    expect(compiled({ signedIdentity: { type: 'matchRepository' } }).referenceBound).toBe(true);
  });

  it.each([
    [{ type: 'matchRepository' }, { type: 'matchRepository' }],
    [{ type: 'matchRepoDigestOrExact' }, { type: 'matchRepoDigestOrExact' }],
    [
      { type: 'exactReference', dockerReference: 'quay.io/team/app:v1' },
      { type: 'exactReference', dockerReference: 'quay.io/team/app:v1' },
    ],
    [
      { type: 'exactRepository', dockerRepository: 'busybox' },
      { type: 'exactRepository', dockerRepository: 'docker.io/library/busybox' },
    ],
  ])('compiles %j', (given, expected) => {
    expect(compiled({ signedIdentity: given }).signedIdentity).toEqual(expected);
  });

  it.each([
    [
      { type: 'exactReference' },
      'spec.authorities[0].cosign.signedIdentity.dockerReference',
      'POLICY_FIELD_REQUIRED',
    ],
    [
      { type: 'matchExact', prefix: 'quay.io' },
      'spec.authorities[0].cosign.signedIdentity.prefix',
      'POLICY_FIELD_NOT_ALLOWED',
    ],
    [
      { type: 'exactReference', dockerReference: 'quay.io/team/app' },
      'spec.authorities[0].cosign.signedIdentity.dockerReference',
      'POLICY_FIELD_VALUE',
    ],
  ])('refuses %j at %s (%s)', (given, path, code) => {
    expect(fieldErrors({ signedIdentity: given })).toContainEqual({ path, code });
  });

  it('refuses signedIdentity with attestations', () => {
    const over = {
      signedIdentity: { type: 'matchRepository' },
      attestations: [{ name: 'slsa', predicateType: 'https://slsa.dev/provenance/v1' }],
    };
    expect(fieldErrors(over)).toContainEqual({
      path: 'spec.authorities[0].cosign.signedIdentity',
      code: 'POLICY_FIELD_NOT_ALLOWED',
    });
  });
});
