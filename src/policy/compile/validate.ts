import { compileImageGlob } from '../../reference/glob';
import { describeUnknown } from '../../errors';
import { clusterImagePolicySpecSchema, imagePolicySpecSchema } from '../crd/schema';
import { POLICY_API_VERSION, type PolicyObject } from '../crd/crd.types';
import type { FieldError } from '../errors';
import { validateLabelSelector } from '../decide/label-selector';
import { MAX_DNS_LABEL_LENGTH, MAX_DNS_SUBDOMAIN_LENGTH } from '../limits';
import { quote, validateAgainstSchema } from '../crd/schema-validate';
import { isRecord } from '../../guards';
import { validateAuthorities } from '../authorities/validate';
import { validateEncryption, validatePlacement } from './placement';

export interface ValidateOptions {
  /** Namespace given to an ImagePolicy that has none (like `kubectl apply` in the current namespace). */
  readonly defaultNamespace?: string;
}

/** The result of validation: `policy` is set only when `errors` is empty. */
export interface ValidationResult {
  readonly policy?: PolicyObject;
  readonly errors: FieldError[];
}

const TOP_LEVEL_FIELDS = ['apiVersion', 'kind', 'metadata', 'spec', 'status'];
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Validates a ClusterImagePolicy or ImagePolicy object against the CRD schema and the semantic rules,
 * collecting every error with its field path (e.g. `spec.authorities[1].cosign.key`).
 * Unknown fields are errors: a typo in a security policy must never be silently ignored.
 */
export function validatePolicyObject(obj: unknown, options: ValidateOptions = {}): ValidationResult {
  const errors: FieldError[] = [];
  if (!isRecord(obj)) {
    errors.push({ path: '<root>', code: 'POLICY_FIELD_TYPE', message: 'a policy must be an object' });
    return { errors };
  }
  for (const key of Object.keys(obj)) {
    if (!TOP_LEVEL_FIELDS.includes(key)) {
      errors.push({ path: key, code: 'POLICY_FIELD_UNKNOWN', message: `unknown field ${quote(key)}` });
    }
  }
  if (obj.apiVersion !== POLICY_API_VERSION) {
    errors.push({
      path: 'apiVersion',
      code: 'POLICY_KIND_INVALID',
      message: `must be ${POLICY_API_VERSION} (got ${typeof obj.apiVersion === 'string' ? quote(obj.apiVersion) : 'none'})`,
    });
  }
  const kind = obj.kind;
  if (kind !== 'ClusterImagePolicy' && kind !== 'ImagePolicy') {
    errors.push({
      path: 'kind',
      code: 'POLICY_KIND_INVALID',
      message: `must be ClusterImagePolicy or ImagePolicy (got ${typeof kind === 'string' ? quote(kind) : 'none'})`,
    });
    return { errors };
  }
  const metadata = validateMetadata(obj.metadata, kind, options, errors);
  const spec = validateSpec(obj.spec, kind, metadata.namespace, errors);
  if (errors.length > 0) return { errors };
  return { policy: { apiVersion: POLICY_API_VERSION, kind, metadata, spec } as PolicyObject, errors };
}

// validateMetadata checks name, namespace (defaulted for ImagePolicy) and generation; other fields pass through.
function validateMetadata(
  value: unknown,
  kind: PolicyObject['kind'],
  options: ValidateOptions,
  errors: FieldError[],
): PolicyObject['metadata'] {
  if (!isRecord(value)) {
    errors.push({
      path: 'metadata',
      code: 'POLICY_FIELD_REQUIRED',
      message: 'metadata with a name is required',
    });
    return { name: '' };
  }
  const meta: PolicyObject['metadata'] = { ...value, name: '' };
  if (typeof value.name !== 'string' || value.name === '') {
    errors.push({ path: 'metadata.name', code: 'POLICY_FIELD_REQUIRED', message: 'a policy needs a name' });
  } else if (value.name.length > MAX_DNS_SUBDOMAIN_LENGTH || !DNS_SUBDOMAIN.test(value.name)) {
    errors.push({
      path: 'metadata.name',
      code: 'POLICY_FIELD_VALUE',
      message: `${quote(value.name)} is not a valid object name (lower-case DNS subdomain)`,
    });
  } else {
    meta.name = value.name;
  }
  if (kind === 'ClusterImagePolicy') {
    delete meta.namespace; // cluster-scoped: the API server ignores a namespace here
  } else if (value.namespace === undefined || value.namespace === null) {
    if (options.defaultNamespace) meta.namespace = options.defaultNamespace;
    else
      errors.push({
        path: 'metadata.namespace',
        code: 'POLICY_FIELD_REQUIRED',
        message: 'an ImagePolicy needs a namespace',
      });
  } else if (
    typeof value.namespace !== 'string' ||
    value.namespace.length > MAX_DNS_LABEL_LENGTH ||
    !DNS_LABEL.test(value.namespace)
  ) {
    errors.push({
      path: 'metadata.namespace',
      code: 'POLICY_FIELD_VALUE',
      message: 'not a valid namespace name',
    });
  }
  const generation = value.generation;
  if (
    generation !== undefined &&
    generation !== null &&
    (!Number.isInteger(generation) || (generation as number) < 0)
  ) {
    errors.push({
      path: 'metadata.generation',
      code: 'POLICY_FIELD_TYPE',
      message: 'expected a non-negative integer',
    });
  }
  return meta;
}

// validateSpec runs the schema, then the rules a schema cannot express.
function validateSpec(
  value: unknown,
  kind: PolicyObject['kind'],
  namespace: string | undefined,
  errors: FieldError[],
): unknown {
  if (value === undefined || value === null) {
    errors.push({ path: 'spec', code: 'POLICY_FIELD_REQUIRED', message: 'a policy needs a spec' });
    return value;
  }
  let input = value;
  if (kind === 'ImagePolicy' && isRecord(value) && 'namespaceSelector' in value) {
    errors.push({
      path: 'spec.namespaceSelector',
      code: 'POLICY_FIELD_NOT_ALLOWED',
      message:
        'only a ClusterImagePolicy has a namespaceSelector; an ImagePolicy always applies to its own namespace',
    });
    const { namespaceSelector: _dropped, ...rest } = value;
    input = rest;
  }
  const schema = kind === 'ClusterImagePolicy' ? clusterImagePolicySpecSchema : imagePolicySpecSchema;
  const spec = validateAgainstSchema(input, schema.node, 'spec', errors);
  if (!isRecord(spec)) return spec;
  validateImages(spec.images, 'spec.images', errors);
  validateImages(spec.excludeImages, 'spec.excludeImages', errors);
  validateAuthorities(spec, kind, namespace, errors);
  if (isRecord(spec.encryption)) validateEncryption(spec.encryption, errors);
  if (isRecord(spec.placement)) validatePlacement(spec.placement, errors);
  if (isRecord(spec.namespaceSelector))
    validateLabelSelector(spec.namespaceSelector, 'spec.namespaceSelector', errors);
  return spec;
}

// validateImages compiles each glob, reporting the reference layer's reason at the glob's path.
function validateImages(images: unknown, path: string, errors: FieldError[]): void {
  if (!Array.isArray(images)) return;
  images.forEach((entry: unknown, i) => {
    if (!isRecord(entry) || typeof entry.glob !== 'string' || entry.glob === '') return;
    try {
      compileImageGlob(entry.glob);
    } catch (error) {
      errors.push({
        path: `${path}[${i}].glob`,
        code: 'POLICY_GLOB_INVALID',
        message: describeUnknown(error),
      });
    }
  });
}
