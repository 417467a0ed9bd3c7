import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Metrics } from '../../../src/observability/metrics';
import { SharedCacheMetrics } from '../../../src/shared-cache/metrics';

const DOC = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'metrics.md'), 'utf8');

// registered lists every metric the code registers (the shared cache's too), with its label names.
function registered(): { name: string; labels: string[] }[] {
  const metrics = new Metrics();
  new SharedCacheMetrics(metrics.registry);
  return metrics.registry.getMetricsAsArray().map((m) => ({
    name: m.name,
    // prom-client keeps the label names on each metric object.
    labels: [...((m as unknown as { labelNames?: readonly string[] }).labelNames ?? [])],
  }));
}

// rowOf finds the docs table row of a metric.
function rowOf(name: string): string | undefined {
  return DOC.split('\n').find((line) => line.startsWith(`| \`${name}\` |`));
}

describe('docs/metrics.md', () => {
  const metrics = registered();

  it('finds the metrics', () => {
    expect(metrics.length).toBeGreaterThan(15);
  });

  it.each(metrics.map((m) => [m.name, m.labels] as const))('documents %s with its labels', (name, labels) => {
    const row = rowOf(name);
    expect(row).toBeDefined();
    const labelCell = row?.split('|')[3] ?? '';
    for (const label of labels) expect(labelCell).toContain(`\`${label}\``);
    if (labels.length === 0) expect(labelCell.trim()).toBe('—');
  });

  it('documents no metric the code does not register', () => {
    const names = new Set(metrics.map((m) => m.name));
    const rows = [...DOC.matchAll(/^\| `(portcullis_[a-z_]+)` \|/gm)].map((m) => m[1]);
    expect(rows.filter((n) => !names.has(n ?? ''))).toEqual([]);
  });
});
