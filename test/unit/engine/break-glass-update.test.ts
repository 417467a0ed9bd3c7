// A planted break-glass annotation: an UPDATE that only adds it (no image changes) is still reviewed, and
// refused to a user outside a governing policy's allowedGroups, whether or not the unchanged image is judged
// again (its registry is unreachable here: a judged image fails its policy).
import { toAdmissionFacts } from '../../../src/admission';
import type { AdmissionRequestFacts } from '../../../src/admission/admission.types';
import type { AuthorityOutcome } from '../../../src/policy/decide/decision.types';
import { TtlCache } from '../../../src/ttl-cache';
import { Coalescer } from '../../../src/engine/coalesce';
import type { ImageEvaluationDeps } from '../../../src/engine/evaluate-image';
import { evaluateRequest, type RequestEvaluationInput } from '../../../src/engine/evaluate-request';
import { VerdictCache } from '../../../src/engine/verdict-cache';
import { silentLogger } from '../../../src/observability/logger';
import { compilePolicies } from '../../../src/policy';
import { ANONYMOUS } from '../../../src/registry';
import type { Descriptor, RegistryReader } from '../../../src/registry/registry.types';
import { clusterPolicy, secretsOf } from '../policy/helpers';

const IMAGE = 'registry.example.com/team/app:1.0';
const snapshot = compilePolicies([clusterPolicy({ breakGlass: { allowedGroups: ['sre'] } })], {
  secrets: secretsOf(),
});

// noRegistry answers every call with an error.
const noRegistry: RegistryReader = {
  resolve: () => Promise.reject(new Error('registry unreachable (test)')),
  getManifest: () => Promise.reject(new Error('registry unreachable (test)')),
  listReferrers: () => Promise.reject(new Error('registry unreachable (test)')),
  getBlob: () => Promise.reject(new Error('registry unreachable (test)')),
};
const deps: ImageEvaluationDeps = {
  registry: noRegistry,
  verify: () => Promise.reject(new Error('verifier unreachable (test)')),
  cache: new VerdictCache(Date.now),
  resolutions: new Coalescer<Descriptor>(),
  resolved: new TtlCache<Descriptor>(0, 1),
  verifications: new Coalescer<AuthorityOutcome>(),
  logger: silentLogger(),
  now: Date.now,
};

// deployment is a Deployment object whose template carries `annotations`.
const deployment = (annotations: Record<string, string>) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'team-a' },
  spec: {
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' }, annotations },
      spec: { containers: [{ name: 'c', image: IMAGE }] },
    },
  },
});

// update is an UPDATE by `user` that sets the template annotations from `before` to `after`.
function update(
  user: { username: string; groups: string[] },
  before: Record<string, string>,
  after: Record<string, string>,
): AdmissionRequestFacts {
  return {
    uid: 'u',
    kind: { group: 'apps', version: 'v1', kind: 'Deployment' },
    namespace: 'team-a',
    operation: 'UPDATE',
    userInfo: user,
    dryRun: false,
    object: deployment(after),
    oldObject: deployment(before),
  };
}

// The policy has no namespaceSelector: the namespace's labels are never read.
const NO_SELECTOR_LABELS = {} as RequestEvaluationInput['namespaceLabels'];

// evaluate runs the engine as /validate would for one request.
const evaluate = (request: AdmissionRequestFacts) =>
  evaluateRequest(
    {
      facts: toAdmissionFacts(request),
      snapshot,
      deadline: Date.now() + 2_000,
      namespaceLabels: NO_SELECTOR_LABELS,
      noMatch: 'deny',
      credentialsFor: async () => ({ source: ANONYMOUS, key: 'anon' }),
    },
    deps,
  );

const GLASS = { 'portcullis.dev/break-glass': 'true' };

describe('evaluateRequest: an UPDATE that only adds break-glass', () => {
  it('is refused to a user outside allowedGroups, naming the policy and the groups', async () => {
    const { decision, reviewed } = await evaluate(update({ username: 'bob', groups: ['dev'] }, {}, GLASS));
    expect(reviewed).toBe(true);
    expect(decision.allowed).toBe(false);
    expect(decision.message).toContain('[POLICY_BREAK_GLASS_REFUSED]');
    expect(decision.message).toContain('allows to break glass (sre)');
  });

  it('is admitted for a member of an allowed group', async () => {
    const { decision, reviewed } = await evaluate(update({ username: 'alice', groups: ['sre'] }, {}, GLASS));
    expect(reviewed).toBe(true);
    expect(decision.allowed).toBe(true);
    expect(decision.auditAnnotations['break-glass']).not.toBe('refused');
  });

  it('is not reviewed when the annotation was already there', async () => {
    const { reviewed, decision } = await evaluate(update({ username: 'bob', groups: ['dev'] }, GLASS, GLASS));
    expect(reviewed).toBe(false);
    expect(decision.allowed).toBe(true);
  });
});
