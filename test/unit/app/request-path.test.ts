// One request, read once: the admission layer walks each object of a Pod UPDATE once (toAdmissionFacts), and
// the sync guard, the runtime and the engine behind /validate and /mutate only read those facts. The walks are
// counted through proxies on the objects (test/harness/read-counter.ts), so no module is mocked. The images'
// registries are closed loopback ports: every lookup fails at once and nothing leaves the host.
import { toAdmissionFacts } from '../../../src/admission';
import { createRuntime } from '../../../src/app/runtime';
import { guardUntilSynced } from '../../../src/app/serve-sources';
import { silentLogger } from '../../../src/observability/logger';
import { compilePolicies } from '../../../src/policy';
import { podRequest } from '../../harness/pod-request';
import { countReads } from '../../harness/read-counter';
import { clusterPolicy, secretsOf } from '../policy/helpers';

const KEPT = '127.0.0.1:1/team/kept:1';
const CHANGED = '127.0.0.1:1/team/app:2';

describe('the request path reads the facts, never the objects again', () => {
  const snapshot = compilePolicies([clusterPolicy({ images: [{ glob: '127.0.0.1:1/**' }] })], {
    secrets: secretsOf(),
  });
  const policies = { current: () => snapshot, ready: () => true };
  const labelLookups: string[] = [];
  const runtime = createRuntime({
    flags: { insecureRegistries: ['127.0.0.1:1'], noMatch: 'deny', dockerConfigs: [] },
    policies,
    logger: silentLogger(),
    namespaceLabels: (namespace) => {
      labelLookups.push(namespace);
      return { team: 'a' };
    },
  });
  afterAll(() => runtime.registry.close());

  // update builds a Pod UPDATE (one kept image, one changed) whose two objects count the walks of their pod specs.
  function update() {
    const request = podRequest([KEPT, CHANGED], { operation: 'UPDATE', oldImages: [KEPT, 'x/old:1'] });
    const object = countReads(request.object, 'spec');
    const oldObject = countReads(request.oldObject, 'spec');
    return { request: { ...request, object: object.value, oldObject: oldObject.value }, object, oldObject };
  }

  it('/validate (behind the sync guard) and /mutate walk neither object after toAdmissionFacts', async () => {
    const { request, object, oldObject } = update();
    const facts = toAdmissionFacts(request);
    expect([object.reads(), oldObject.reads()]).toEqual([1, 1]);

    const evaluate = guardUntilSynced(policies, runtime.evaluate);
    const result = await evaluate(facts, Date.now() + 2_000, { requirePinned: true });
    const plan = await runtime.pin(facts, Date.now() + 2_000);

    expect([object.reads(), oldObject.reads()]).toEqual([1, 1]);
    // Only the changed field is judged and pinned, as the facts say.
    expect(result.uses).toBe(facts.judged);
    expect(result.decision.images.map((i) => i.field)).toEqual(['spec.containers[1].image']);
    expect(plan.failures.map((f) => f.field)).toEqual(['spec.containers[1].image']);
    expect(labelLookups).toEqual(['team-a', 'team-a']);
  });

  it('follows the facts when they disagree with the object: no review needed means no lookup at all', async () => {
    labelLookups.length = 0;
    const facts = { ...toAdmissionFacts(update().request), needsReview: false };
    const result = await runtime.evaluate(facts, Date.now() + 2_000, { requirePinned: true });
    expect(result.reviewed).toBe(false);
    expect((await runtime.pin(facts, Date.now() + 2_000)).failures).toEqual([]);
    expect(labelLookups).toEqual([]);
  });
});
