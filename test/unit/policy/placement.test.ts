// spec.encryption and spec.placement: validation, the pure placement and encryption decisions, mutate patches.
import { compilePolicy } from '../../../src/policy/compile/compile';
import { PolicyError } from '../../../src/policy/errors';
import { decide } from '../../../src/policy';
import { labelGaps, placementAdditions, placementLines } from '../../../src/policy/decide/placement';
import { toPodPlacement, buildPlacementPatch } from '../../../src/admission/placement';
import { toAdmissionFacts } from '../../../src/admission';
import type { PodPlacement } from '../../../src/admission/admission.types';
import type { ImageFacts } from '../../../src/policy/decide/decision.types';
import type { CompiledPlacement } from '../../../src/policy/compile/compiled.types';
import { clusterPolicy, DIGEST, fakePolicy, OK, secretsOf, PEM } from './helpers';

const authorities = [{ name: 'k', cosign: { key: { data: PEM } } }];
const RULE: CompiledPlacement = {
  runtimeClassNames: ['kata-qemu-tdx'],
  nodeSelector: [['trust.example/attested', 'true']],
  mutate: false,
  when: 'always',
};

// compileError compiles a spec and returns the thrown PolicyError.
function compileError(spec: Record<string, unknown>): PolicyError {
  try {
    compilePolicy(clusterPolicy({ authorities, ...spec }), { secrets: secretsOf() });
  } catch (error) {
    return error as PolicyError;
  }
  throw new Error('compiled');
}

// facts builds the facts of one verified image under one policy.
function facts(policy = fakePolicy(), encryption?: ImageFacts['encryption']): ImageFacts {
  return {
    image: 'registry.example.com/app:1',
    field: 'spec.containers[0].image',
    pointer: '/spec/containers/0/image',
    normalized: 'registry.example.com/app:1',
    policies: [policy],
    digest: DIGEST,
    outcomes: { [policy.id]: [OK()] },
    ...(encryption ? { encryption } : {}),
  };
}

const request = (placement?: PodPlacement, template = false) => ({
  namespace: 'team-a',
  objectKind: 'Pod',
  objectName: 'p',
  breakGlassRequested: false,
  userName: 'u',
  userGroups: [],
  noMatch: 'deny' as const,
  ...(placement ? { placement } : {}),
  placementTemplate: template,
});

describe('validation', () => {
  test('required and forbidden at once is POLICY_ENCRYPTION_CONFLICT', () => {
    const e = compileError({ encryption: { required: true, forbidden: true } });
    expect(e.fieldErrors.map((f) => [f.path, f.code])).toEqual([
      ['spec.encryption', 'POLICY_ENCRYPTION_CONFLICT'],
    ]);
  });
  test('a placement that requires nothing is POLICY_PLACEMENT_EMPTY', () => {
    expect(compileError({ placement: { mutate: true } }).fieldErrors[0]?.code).toBe('POLICY_PLACEMENT_EMPTY');
  });
  test('a bad label key and an unknown field are reported at their paths', () => {
    const e = compileError({ placement: { nodeSelector: { 'bad key': 'x' }, whenn: 'always' } });
    expect(e.fieldErrors.map((f) => f.path).sort()).toEqual([
      'spec.placement.nodeSelector',
      'spec.placement.whenn',
    ]);
  });
  test('compiles with defaults', () => {
    const p = compilePolicy(
      clusterPolicy({
        authorities,
        encryption: { required: true },
        placement: { runtimeClassNames: ['kata-cc'] },
      }),
      { secrets: secretsOf() },
    );
    expect(p.encryption).toBe('required');
    expect(p.placement).toEqual({
      runtimeClassNames: ['kata-cc'],
      nodeSelector: [],
      mutate: false,
      when: 'always',
    });
  });
});

describe('node label guarantees', () => {
  const term = (key: string, operator: string, values: string[]) => [{ key, operator, values }];
  test.each<[string, PodPlacement, string | undefined]>([
    ['nodeSelector has it', { nodeSelector: { 'trust.example/attested': 'true' } }, undefined],
    ['nothing', { nodeSelector: {} }, 'nodeSelector lacks it; no required node affinity'],
    [
      'nodeSelector other value',
      { nodeSelector: { 'trust.example/attested': 'no' } },
      'nodeSelector sets trust.example/attested="no"; no required node affinity',
    ],
    [
      'every term has In [v]',
      {
        nodeSelector: {},
        requiredTerms: [
          term('trust.example/attested', 'In', ['true']),
          [...term('a', 'Exists', []), ...term('trust.example/attested', 'In', ['true'])],
        ],
      },
      undefined,
    ],
    [
      'term 2 lacks it',
      {
        nodeSelector: {},
        requiredTerms: [term('trust.example/attested', 'In', ['true']), term('zone', 'In', ['a'])],
      },
      'nodeSelector lacks it; term 2 of 2 lacks it',
    ],
    [
      'In with two values guarantees nothing',
      { nodeSelector: {}, requiredTerms: [term('trust.example/attested', 'In', ['true', 'false'])] },
      'nodeSelector lacks it; term 1 of 1 lacks it',
    ],
    [
      'Exists is not a value',
      { nodeSelector: {}, requiredTerms: [term('trust.example/attested', 'Exists', [])] },
      'nodeSelector lacks it; term 1 of 1 lacks it',
    ],
    [
      'NotIn is not In',
      { nodeSelector: {}, requiredTerms: [term('trust.example/attested', 'NotIn', ['false'])] },
      'nodeSelector lacks it; term 1 of 1 lacks it',
    ],
    [
      'no terms',
      { nodeSelector: {}, requiredTerms: [] },
      'nodeSelector lacks it; required node affinity has no terms',
    ],
  ])('%s', (_name, pod, gaps) => {
    expect(labelGaps('trust.example/attested', 'true', pod)).toBe(gaps);
  });

  test('reads affinity from a pod spec; a malformed term guarantees nothing, a non-string value voids In', () => {
    const pod = toPodPlacement({
      runtimeClassName: 'kata-qemu-tdx',
      nodeSelector: { a: 'b', n: 1 },
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [
              { matchExpressions: [{ key: 'k', operator: 'In', values: ['v', 2] }] },
              'junk',
            ],
          },
        },
      },
    });
    expect(pod).toEqual({
      runtimeClassName: 'kata-qemu-tdx',
      nodeSelector: { a: 'b' },
      requiredTerms: [[{ key: 'k', operator: '?', values: ['v'] }], []],
    });
  });
});

describe('decisions', () => {
  test('placement: the denial names what is missing, for a Pod and for a template', () => {
    const policy = fakePolicy({ placement: RULE });
    const d = decide(request({ nodeSelector: {} }), [facts(policy)]);
    expect(d.allowed).toBe(false);
    expect(d.message).toContain(
      'image registry.example.com/app:1 is governed by policy ClusterImagePolicy/p, which requires runtimeClassName one of [kata-qemu-tdx]; the pod requests none',
    );
    expect(d.message).toContain('[POLICY_PLACEMENT_NODE_LABEL]');
    const ok = decide(
      request({ runtimeClassName: 'kata-qemu-tdx', nodeSelector: { 'trust.example/attested': 'true' } }),
      [facts(policy)],
    );
    expect(ok.allowed).toBe(true);
    expect(decide(request(undefined), [facts(policy)]).allowed).toBe(false);
  });

  test('a template with placement.mutate is judged as completed, but a conflicting class still denies', () => {
    const policy = fakePolicy({ placement: { ...RULE, mutate: true } });
    expect(decide(request({ nodeSelector: {} }, true), [facts(policy)]).allowed).toBe(true);
    expect(decide(request({ nodeSelector: {} }, false), [facts(policy)]).allowed).toBe(false);
    const other = decide(request({ runtimeClassName: 'runc', nodeSelector: {} }, true), [facts(policy)]);
    expect(other.message).toContain('the pod requests "runc"');
  });

  test('when: encrypted applies only to encrypted images, and says so', () => {
    const policy = fakePolicy({ placement: { ...RULE, when: 'encrypted' } });
    const plain = decide(request({ nodeSelector: {} }), [
      facts(policy, { layers: 2, encrypted: 0, manifests: 1 }),
    ]);
    expect(plain.allowed).toBe(true);
    const enc = decide(request({ nodeSelector: {} }), [
      facts(policy, { layers: 2, encrypted: 2, manifests: 1 }),
    ]);
    expect(enc.message).toContain(
      'image registry.example.com/app:1 is encrypted; policy ClusterImagePolicy/p requires runtimeClassName',
    );
    expect(decide(request({ nodeSelector: {} }), [facts(policy)]).allowed).toBe(false); // state unknown: fail closed
  });

  test.each([
    [
      'required',
      { layers: 5, encrypted: 2, manifests: 1 },
      'has 3 plaintext layers of 5; policy ClusterImagePolicy/p requires encryption: required',
    ],
    ['required', { layers: 5, encrypted: 5, manifests: 1 }, undefined],
    ['forbidden', { layers: 2, encrypted: 1, manifests: 2 }, '[POLICY_ENCRYPTION_FORBIDDEN]'],
    ['forbidden', { layers: 2, encrypted: 0, manifests: 1 }, undefined],
  ] as const)('encryption %s on %j', (rule, state, message) => {
    const d = decide(request(), [facts(fakePolicy({ encryption: rule }), state)]);
    expect(d.allowed).toBe(message === undefined);
    if (message) expect(d.message).toContain(message);
  });

  test('an unreadable encryption state denies with its code', () => {
    const f = {
      ...facts(fakePolicy({ encryption: 'required' })),
      encryptionError: { code: 'REGISTRY_UNREACHABLE', reason: 'down' },
    };
    expect(decide(request(), [f]).message).toContain('[REGISTRY_UNREACHABLE] down');
  });
});

describe('mutate', () => {
  test('adds the class and missing labels, never overriding', () => {
    expect(placementAdditions([RULE], { nodeSelector: {} })).toEqual({
      runtimeClassName: 'kata-qemu-tdx',
      nodeSelector: [['trust.example/attested', 'true']],
    });
    expect(
      placementAdditions([RULE], {
        runtimeClassName: 'runc',
        nodeSelector: { 'trust.example/attested': 'no' },
      }),
    ).toEqual({
      nodeSelector: [],
    });
  });
  test('patches add a whole nodeSelector, or single escaped keys', () => {
    expect(
      buildPlacementPatch({
        specPointer: '/spec/template/spec',
        runtimeClassName: 'kata',
        nodeSelector: [['a/b', 'x']],
        existing: {},
      }),
    ).toEqual([
      { op: 'add', path: '/spec/template/spec/runtimeClassName', value: 'kata' },
      { op: 'add', path: '/spec/template/spec/nodeSelector', value: { 'a/b': 'x' } },
    ]);
    expect(
      buildPlacementPatch({ specPointer: '/spec', nodeSelector: [['a/b', 'x']], existing: { z: 'y' } }),
    ).toEqual([{ op: 'add', path: '/spec/nodeSelector/a~1b', value: 'x' }]);
  });
  test('placementLines is [] without a placement', () => {
    expect(placementLines(fakePolicy(), facts(), undefined)).toEqual([]);
  });
});

describe('UPDATE of a workload template', () => {
  const deployment = (spec: Record<string, unknown>) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'd', namespace: 'team-a' },
    spec: { template: { spec: { containers: [{ name: 'a', image: 'registry.example.com/a:1' }], ...spec } } },
  });
  const update = (before: Record<string, unknown>, after: Record<string, unknown>) =>
    toAdmissionFacts({
      uid: 'u',
      kind: { group: 'apps', version: 'v1', kind: 'Deployment' },
      namespace: 'team-a',
      operation: 'UPDATE',
      userInfo: { username: 'u', groups: [] },
      dryRun: false,
      object: deployment(after),
      oldObject: deployment(before),
    });

  test('a changed runtimeClassName or node affinity re-judges every image', () => {
    expect(update({ runtimeClassName: 'kata' }, {}).judged).toHaveLength(1);
    expect(update({}, { nodeSelector: { a: 'b' } }).judged).toHaveLength(1);
  });
  test('an unchanged placement and images need no review', () => {
    expect(update({ runtimeClassName: 'kata' }, { runtimeClassName: 'kata' }).needsReview).toBe(false);
  });
});
