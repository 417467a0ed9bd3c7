import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { renderCrds } from '../../../src/policy/crd/manifest';
import { loadCrdDocs } from '../../../tools/crd-descriptions';

const DIR = join(__dirname, '..', '..', '..', 'manifests', 'crds');

// walk visits every schema node of a CRD schema.
function walk(
  node: Record<string, unknown>,
  visit: (n: Record<string, unknown>, path: string) => void,
  path = '',
): void {
  visit(node, path);
  const props = (node.properties ?? {}) as Record<string, Record<string, unknown>>;
  for (const [k, v] of Object.entries(props)) walk(v, visit, `${path}.${k}`);
  if (node.items) walk(node.items as Record<string, unknown>, visit, `${path}[]`);
  if (node.additionalProperties)
    walk(node.additionalProperties as Record<string, unknown>, visit, `${path}{}`);
}

describe('generated CRDs', () => {
  const files = renderCrds(loadCrdDocs());

  test('the committed files equal the generator output (run `npm run gen:crds`)', () => {
    expect(files.map((f) => f.fileName)).toEqual([
      'portcullis.dev_clusterimagepolicies.yaml',
      'portcullis.dev_imagepolicies.yaml',
    ]);
    for (const f of files) expect(readFileSync(join(DIR, f.fileName), 'utf8')).toBe(f.text);
  });

  test.each([
    [0, 'ClusterImagePolicy', 'Cluster', 'cip', true],
    [1, 'ImagePolicy', 'Namespaced', 'ip', false],
  ])('%i: %s is scoped %s with short name %s and printer columns', (i, kind, scope, short, hasSelector) => {
    const crd = parse(files[i]?.text ?? '');
    expect(crd).toMatchObject({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition' });
    expect(crd.spec).toMatchObject({ group: 'portcullis.dev', scope, names: { kind, shortNames: [short] } });
    const [version] = crd.spec.versions;
    expect(version).toMatchObject({
      name: 'v1alpha1',
      served: true,
      storage: true,
      subresources: { status: {} },
    });
    const columns = version.additionalPrinterColumns as { name: string; priority?: number }[];
    expect(columns.map((c) => [c.name, c.priority ?? 0])).toEqual([
      ['Mode', 0],
      ['Images', 0],
      ['Ready', 0],
      ['Reason', 0],
      ['Age', 0],
      ['Threshold', 1],
      ['Authorities', 1],
    ]);
    const spec = version.schema.openAPIV3Schema.properties.spec;
    expect('namespaceSelector' in spec.properties).toBe(hasSelector);
    expect(spec.properties.mode).toMatchObject({ enum: ['enforce', 'warn', 'audit'], default: 'enforce' });
    expect(spec.properties.threshold).toMatchObject({ type: 'integer', minimum: 1, default: 1 });
    expect(spec.properties.authorities).toMatchObject({
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['name'],
    });
    expect(Object.keys(spec.properties.authorities.items.properties)).toEqual([
      'name',
      'cosign',
      'notaryV1',
      'notation',
      'ociVault',
      'simpleSigning',
    ]);
    expect(spec.properties.registry.properties.onError).toMatchObject({ default: 'deny' });
    expect(spec.properties.breakGlass.properties.allowed).toMatchObject({ default: true });
    expect(version.schema.openAPIV3Schema.properties.status.properties).toHaveProperty('observedGeneration');
  });

  test('schemas are structural: typed nodes, no $ref, no internal keys, bounded lists and strings', () => {
    for (const f of files) {
      const root = parse(f.text).spec.versions[0].schema.openAPIV3Schema;
      walk(root, (n, path) => {
        expect({ path, type: n.type }).toEqual({ path, type: expect.any(String) });
        expect(n).not.toHaveProperty('$ref');
        expect(n).not.toHaveProperty('errorCode');
        if (path.startsWith('.spec') && n.type === 'array')
          expect({ path, max: n.maxItems }).toEqual({ path, max: expect.any(Number) });
        if (path.startsWith('.spec') && n.type === 'string' && !n.enum)
          expect({ path, max: n.maxLength }).toEqual({ path, max: expect.any(Number) });
        if (n['x-kubernetes-list-type'] === 'map') {
          const item = n.items as { required?: string[] };
          for (const key of n['x-kubernetes-list-map-keys'] as string[]) expect(item.required).toContain(key);
        }
      });
    }
  });

  test('`gen:crds --check` exits 0 when the files are up to date', () => {
    const root = join(__dirname, '..', '..', '..');
    const run = spawnSync(
      process.execPath,
      [require.resolve('tsx/cli'), 'tools/generate-crds.ts', '--check'],
      {
        cwd: root,
        encoding: 'utf8',
      },
    );
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
  });
});
