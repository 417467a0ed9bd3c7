import { readFileSync } from 'node:fs';
import {
  DEFAULT_TRUSTED_ROOT_KEY,
  resolveTrustedRoot,
  type TrustedRootField,
} from '../../../../src/policy/authorities/trusted-root-ref';
import type { ConfigMapLookup } from '../../../../src/policy/compile/compile';
import type { FieldError } from '../../../../src/policy/errors';

// The public-good root that @sigstore/tuf ships: a real, valid TrustedRoot document.
const seeds = JSON.parse(readFileSync(require.resolve('@sigstore/tuf/seeds.json'), 'utf8')) as Record<
  string,
  { targets: Record<string, string> }
>;
const ROOT = Buffer.from(
  seeds['https://tuf-repo-cdn.sigstore.dev']?.targets['trusted_root.json'] ?? '',
  'base64',
).toString('utf8');
const AT = 'spec.authorities[0].cosign.keyless.trustedRoot';

// lookup serves ConfigMaps from a `ns/name` map.
function lookup(maps: Record<string, Record<string, string>>): ConfigMapLookup {
  return { get: (ns, name) => maps[`${ns}/${name}`] };
}

const MAPS = lookup({
  'sigstore/root': { [DEFAULT_TRUSTED_ROOT_KEY]: ROOT },
  'sigstore/custom-key': { 'root.json': ROOT, other: 'x' },
  'team/root': { [DEFAULT_TRUSTED_ROOT_KEY]: ROOT },
  'sigstore/garbage': { [DEFAULT_TRUSTED_ROOT_KEY]: '{"mediaType":"text/plain"}' },
});

// resolve runs resolveTrustedRoot over `maps` (MAPS unless given; `null` for no lookup) and returns its
// result and the errors it recorded.
function resolve(ref: TrustedRootField | undefined, namespace?: string, maps: ConfigMapLookup | null = MAPS) {
  const errors: FieldError[] = [];
  const result = resolveTrustedRoot(ref, AT, namespace, maps ?? undefined, errors);
  return { result, errors };
}

describe('resolveTrustedRoot', () => {
  test('no trustedRoot field: the public-good root, nothing read', () => {
    expect(resolve(undefined, undefined, null)).toEqual({ result: { kind: 'public-good' }, errors: [] });
  });

  test('inline data is parsed, with source "inline"', () => {
    const { result, errors } = resolve({ data: ROOT });
    expect(errors).toEqual([]);
    expect(result).toMatchObject({
      kind: 'given',
      root: { source: 'inline', id: expect.stringMatching(/^sha256:/) },
    });
  });

  test.each([
    [
      'ClusterImagePolicy, default key',
      { name: 'root', namespace: 'sigstore' },
      undefined,
      'ConfigMap sigstore/root key "trusted_root.json"',
    ],
    [
      'ClusterImagePolicy, other key',
      { name: 'custom-key', namespace: 'sigstore', key: 'root.json' },
      undefined,
      'ConfigMap sigstore/custom-key key "root.json"',
    ],
    [
      'ImagePolicy, namespace defaulted',
      { name: 'root' },
      'team',
      'ConfigMap team/root key "trusted_root.json"',
    ],
    [
      'ImagePolicy, own namespace named',
      { name: 'root', namespace: 'team' },
      'team',
      'ConfigMap team/root key "trusted_root.json"',
    ],
  ])('configMapRef: %s', (_name, configMapRef, namespace, source) => {
    const { result, errors } = resolve({ configMapRef }, namespace);
    expect(errors).toEqual([]);
    expect(result).toMatchObject({ kind: 'given', root: { source } });
  });

  test('the same text gives the same id, whatever its source', () => {
    const inline = resolve({ data: ROOT }).result;
    const fromMap = resolve({ configMapRef: { name: 'root', namespace: 'sigstore' } }).result;
    expect(inline?.kind === 'given' && fromMap?.kind === 'given' && inline.root.id === fromMap.root.id).toBe(
      true,
    );
  });

  test.each<[string, TrustedRootField, string | undefined, FieldError]>([
    [
      'neither data nor configMapRef',
      {},
      undefined,
      {
        path: AT,
        code: 'POLICY_FIELD_REQUIRED',
        message: expect.stringContaining('set exactly one of data') as string,
      },
    ],
    [
      'both data and configMapRef',
      { data: ROOT, configMapRef: { name: 'root', namespace: 'sigstore' } },
      undefined,
      {
        path: AT,
        code: 'POLICY_FIELD_VALUE',
        message: expect.stringContaining('set exactly one of data') as string,
      },
    ],
    [
      'inline data that is not a root',
      { data: '{"mediaType":"application/vnd.dev.sigstore.trustedroot.v0.2+json"}' },
      undefined,
      {
        path: `${AT}.data`,
        code: 'POLICY_TRUSTED_ROOT_INVALID',
        message:
          'not a trusted root: the trusted root has no certificateAuthorities and no tlogs: it can verify nothing',
      },
    ],
    [
      'a missing ConfigMap',
      { configMapRef: { name: 'nope', namespace: 'sigstore' } },
      undefined,
      {
        path: `${AT}.configMapRef`,
        code: 'POLICY_CONFIGMAP_NOT_FOUND',
        message: 'ConfigMap sigstore/nope not found',
      },
    ],
    [
      'a missing key, listing the keys present',
      { configMapRef: { name: 'custom-key', namespace: 'sigstore' } },
      undefined,
      {
        path: `${AT}.configMapRef.key`,
        code: 'POLICY_CONFIGMAP_NOT_FOUND',
        message:
          'ConfigMap sigstore/custom-key has no key "trusted_root.json" (keys present: other, root.json)',
      },
    ],
    [
      'garbage in the ConfigMap',
      { configMapRef: { name: 'garbage', namespace: 'sigstore' } },
      undefined,
      {
        path: `${AT}.configMapRef`,
        code: 'POLICY_TRUSTED_ROOT_INVALID',
        message: expect.stringMatching(
          /^ConfigMap sigstore\/garbage key "trusted_root.json" is not a trusted root: mediaType "text\/plain" is not a sigstore trusted root/,
        ) as string,
      },
    ],
    [
      'a ClusterImagePolicy that names no namespace',
      { configMapRef: { name: 'root' } },
      undefined,
      {
        path: `${AT}.configMapRef.namespace`,
        code: 'POLICY_FIELD_REQUIRED',
        message: "a ClusterImagePolicy must name the ConfigMap's namespace",
      },
    ],
    [
      "an ImagePolicy naming another namespace's ConfigMap",
      { configMapRef: { name: 'root', namespace: 'sigstore' } },
      'team',
      {
        path: `${AT}.configMapRef.namespace`,
        code: 'POLICY_FIELD_NOT_ALLOWED',
        message: 'an ImagePolicy may only use ConfigMaps of its own namespace "team"',
      },
    ],
  ])('%s: one field error, no root', (_name, ref, namespace, expected) => {
    const { result, errors } = resolve(ref, namespace);
    expect(result).toBeUndefined();
    expect(errors).toEqual([expected]);
  });

  test('an ImagePolicy never reads another namespace, even when the lookup has it', () => {
    const asked: string[] = [];
    const spy: ConfigMapLookup = { get: (ns, name) => (asked.push(`${ns}/${name}`), undefined) };
    resolve({ configMapRef: { name: 'root', namespace: 'sigstore' } }, 'team', spy);
    expect(asked).toEqual([]);
  });

  test('without a ConfigMap lookup every reference is not found', () => {
    const { errors } = resolve({ configMapRef: { name: 'root', namespace: 'sigstore' } }, undefined, null);
    expect(errors.map((e) => e.code)).toEqual(['POLICY_CONFIGMAP_NOT_FOUND']);
  });
});
