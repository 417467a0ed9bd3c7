// Every CRD field has a description, taken from the doc comments of src/policy/crd/crd.types.ts, so that
// `kubectl explain clusterimagepolicy.spec.authorities.cosign` explains (ADR 0002).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describeSchema, missingDescriptions, type OpenApiNode } from '../../../src/policy/crd/describe';
import { renderCrds, type CrdFile } from '../../../src/policy/crd/manifest';
import { loadCrdDocs } from '../../../tools/crd-descriptions';
import { undescribedFields } from '../../../tools/generate-crds';

const ROOT = join(__dirname, '..', '..', '..');
const FILES = ['portcullis.dev_clusterimagepolicies.yaml', 'portcullis.dev_imagepolicies.yaml'];

// committed reads the CRDs as committed (what users apply and kubectl explain reads).
function committed(dir: string): CrdFile[] {
  return FILES.map((fileName) => ({ fileName, text: readFileSync(join(ROOT, dir, fileName), 'utf8') }));
}

// strip removes every description from a schema, recursively.
function strip(node: OpenApiNode): OpenApiNode {
  const { description: _dropped, ...rest } = node;
  const props = rest.properties as Record<string, OpenApiNode> | undefined;
  return {
    ...rest,
    ...(props
      ? { properties: Object.fromEntries(Object.entries(props).map(([k, v]) => [k, strip(v)])) }
      : {}),
    ...(rest.items ? { items: strip(rest.items as OpenApiNode) } : {}),
  };
}

// schemaOf returns a CRD file's openAPIV3Schema.
function schemaOf(f: CrdFile): OpenApiNode {
  return parse(f.text).spec.versions[0].schema.openAPIV3Schema;
}

describe('CRD descriptions', () => {
  test.each(['manifests/crds', 'charts/portcullis/crds'])(
    'every field of both CRDs in %s is described',
    (dir) => {
      expect(undescribedFields(committed(dir))).toEqual([]);
    },
  );

  test('descriptions come from the doc comments, nested properties and array items included', () => {
    const [cip] = renderCrds(loadCrdDocs()).map(schemaOf);
    const spec = (cip?.properties as Record<string, OpenApiNode>).spec as OpenApiNode;
    const at = (path: string[]): OpenApiNode =>
      path.reduce<OpenApiNode>(
        (n, k) => (k === '[]' ? (n.items as OpenApiNode) : (n.properties as Record<string, OpenApiNode>)[k]!),
        spec,
      );
    expect(at(['authorities', '[]', 'cosign']).description).toBe(
      'Cosign (Sigstore) signatures, with a key or keyless.',
    );
    // An array's items take the element type's doc comment; a property its own, else its type's.
    expect(at(['authorities', '[]']).description).toMatch(/^One trusted signer\./);
    expect(
      at(['authorities', '[]', 'cosign', 'keyless', 'identities', '[]', 'extensions', 'buildTrigger'])
        .description,
    ).toMatch(/event that started the build/);
    expect(
      at(['authorities', '[]', 'cosign', 'keyless', 'trustedRoot', 'configMapRef', 'key']).description,
    ).toMatch(/trusted_root\.json/);
    expect(at(['namespaceSelector', 'matchExpressions', '[]', 'operator']).description).toBe(
      'In, NotIn, Exists or DoesNotExist.',
    );
  });

  test('metadata stays bare: the API server rejects a CRD that describes ObjectMeta', () => {
    for (const f of committed('manifests/crds'))
      expect((schemaOf(f).properties as Record<string, OpenApiNode>).metadata).toEqual({ type: 'object' });
  });

  test('a field without a doc comment is reported with its path, also inside array items', () => {
    const docs = loadCrdDocs();
    const node = schemaOf(renderCrds(docs)[1] as CrdFile);
    expect(missingDescriptions(node)).toEqual([]);
    // The same schema with no doc comments at all: every field is reported.
    const stripped = describeSchema(strip(node), undefined);
    const missing = missingDescriptions(stripped);
    expect(missing).toEqual(
      expect.arrayContaining([
        '.spec',
        '.spec.images[]',
        '.spec.images[].glob',
        '.spec.authorities[].notaryV1.server',
      ]),
    );
    // Scalar items repeat their field and are exempt; maps' values too.
    expect(missing).not.toContain('.spec.authorities[].notaryV1.rootKeys[]');
  });
});
