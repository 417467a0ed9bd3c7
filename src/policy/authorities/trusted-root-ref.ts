import type { ConfigMapLookup } from '../compile/compile';
import type { TrustedRootRef } from '../compile/compiled.types';
import type { ConfigMapKeyRef } from '../crd/crd.types';
import type { FieldError } from '../errors';
import { quote } from '../crd/schema-validate';
import { parseTrustedRoot } from './trusted-root';

/** The ConfigMap key read when `configMapRef.key` is not given (the file name sigstore's TUF target uses). */
export const DEFAULT_TRUSTED_ROOT_KEY = 'trusted_root.json';

/** `keyless.trustedRoot` as written in a policy. */
export interface TrustedRootField {
  readonly configMapRef?: ConfigMapKeyRef;
  readonly data?: string;
}

/**
 * Resolves a keyless authority's `trustedRoot` field (at `path`) to the root it uses: absent means the
 * public-good root; `data` is parsed inline; `configMapRef` is read through `configMaps` (key
 * `trusted_root.json` by default). `namespace` is the policy's own for an ImagePolicy, which may only read
 * ConfigMaps of that namespace, and undefined for a ClusterImagePolicy, which must name one. Every problem
 * is pushed to `errors` with its field path; the result is then undefined.
 */
export function resolveTrustedRoot(
  ref: TrustedRootField | undefined,
  path: string,
  namespace: string | undefined,
  configMaps: ConfigMapLookup | undefined,
  errors: FieldError[],
): TrustedRootRef | undefined {
  if (ref === undefined) return { kind: 'public-good' };
  if ((ref.data === undefined) === (ref.configMapRef === undefined)) {
    errors.push({
      path,
      code: ref.data === undefined ? 'POLICY_FIELD_REQUIRED' : 'POLICY_FIELD_VALUE',
      message:
        'set exactly one of data (a TrustedRoot JSON document) or configMapRef; leave trustedRoot out to use the public-good Sigstore root',
    });
    return undefined;
  }
  if (ref.data !== undefined) {
    const parsed = parseTrustedRoot(ref.data, 'inline');
    if (typeof parsed !== 'string') return { kind: 'given', root: parsed };
    errors.push({
      path: `${path}.data`,
      code: 'POLICY_TRUSTED_ROOT_INVALID',
      message: `not a trusted root: ${parsed}`,
    });
    return undefined;
  }
  return fromConfigMap(
    ref.configMapRef as ConfigMapKeyRef,
    `${path}.configMapRef`,
    namespace,
    configMaps,
    errors,
  );
}

// fromConfigMap reads and parses the root a configMapRef names, after the namespace rules of secretRef.
function fromConfigMap(
  ref: ConfigMapKeyRef,
  path: string,
  namespace: string | undefined,
  configMaps: ConfigMapLookup | undefined,
  errors: FieldError[],
): TrustedRootRef | undefined {
  const ns = configMapNamespace(ref, path, namespace, errors);
  if (ns === undefined) return undefined;
  const name = `${ns}/${ref.name}`;
  const data = configMaps?.get(ns, ref.name);
  if (data === undefined) {
    errors.push({ path, code: 'POLICY_CONFIGMAP_NOT_FOUND', message: `ConfigMap ${name} not found` });
    return undefined;
  }
  const key = ref.key ?? DEFAULT_TRUSTED_ROOT_KEY;
  const text = data[key];
  if (text === undefined) {
    const present = Object.keys(data).sort().join(', ') || 'none';
    errors.push({
      path: `${path}.key`,
      code: 'POLICY_CONFIGMAP_NOT_FOUND',
      message: `ConfigMap ${name} has no key "${key}" (keys present: ${present})`,
    });
    return undefined;
  }
  const source = `ConfigMap ${name} key "${key}"`;
  const parsed = parseTrustedRoot(text, source);
  if (typeof parsed !== 'string') return { kind: 'given', root: parsed };
  errors.push({
    path,
    code: 'POLICY_TRUSTED_ROOT_INVALID',
    message: `${source} is not a trusted root: ${parsed}`,
  });
  return undefined;
}

// configMapNamespace applies secretRef's rules (policy/authorities/validate.ts): an ImagePolicy reads only
// its own namespace (no confused deputy), a ClusterImagePolicy names the namespace explicitly.
function configMapNamespace(
  ref: ConfigMapKeyRef,
  path: string,
  namespace: string | undefined,
  errors: FieldError[],
): string | undefined {
  if (namespace === undefined) {
    if (ref.namespace !== undefined) return ref.namespace;
    errors.push({
      path: `${path}.namespace`,
      code: 'POLICY_FIELD_REQUIRED',
      message: "a ClusterImagePolicy must name the ConfigMap's namespace",
    });
    return undefined;
  }
  if (ref.namespace === undefined || ref.namespace === namespace) return namespace;
  errors.push({
    path: `${path}.namespace`,
    code: 'POLICY_FIELD_NOT_ALLOWED',
    message: `an ImagePolicy may only use ConfigMaps of its own namespace ${quote(namespace)}`,
  });
  return undefined;
}
