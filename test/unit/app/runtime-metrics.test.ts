// The runtime's registry metrics: a pod that names 50 registries no policy names creates one `other` series,
// not 50. The registries are closed loopback ports, so every request fails at once and nothing leaves the host.
import { toAdmissionFacts } from '../../../src/admission';
import { createRuntime } from '../../../src/app/runtime';
import { silentLogger } from '../../../src/observability/logger';
import { Metrics, OTHER_LABEL } from '../../../src/observability/metrics';
import { compilePolicies } from '../../../src/policy';
import { podRequest } from '../../harness/pod-request';
import { clusterPolicy, secretsOf } from '../policy/helpers';

describe('runtime registry metrics', () => {
  it('a pod naming 50 distinct unknown registries yields at most one other series', async () => {
    const snapshot = compilePolicies(
      [clusterPolicy({ images: [{ glob: '**' }, { glob: 'known.example/**' }] })],
      { secrets: secretsOf() },
    );
    const metrics = new Metrics();
    const runtime = createRuntime({
      flags: { insecureRegistries: [], noMatch: 'deny', dockerConfigs: [] },
      policies: { current: () => snapshot, ready: () => true },
      logger: silentLogger(),
      metrics,
    });
    const images = Array.from({ length: 50 }, (_, i) => `127.0.0.1:${i + 1}/app:v1`);
    const result = await runtime.evaluate(toAdmissionFacts(podRequest(images)), Date.now() + 1500);
    expect(result.decision.allowed).toBe(false);
    const series = (await metrics.registryRequests.get()).values;
    expect(series.length).toBeGreaterThan(0);
    expect(new Set(series.map((s) => s.labels.registry))).toEqual(new Set([OTHER_LABEL]));
    expect(new Set(series.map((s) => s.labels.outcome)).size).toBe(series.length);
    await runtime.registry.close();
  });
});
