import type { AdmissionRequestFacts } from './admission.types';
import type { DecodedAdmissionReview } from './admission-review.types';
import { AdmissionError, type AdmissionErrorCode } from './errors';
import { isPodBearingKind, toJudgedContainerKinds } from './kinds';
import { describeType, ownField, quoteShort } from './shape';
import { isRecord } from '../guards';

/** The only AdmissionReview version Portcullis speaks. */
export const ADMISSION_API_VERSION = 'admission.k8s.io/v1';
/** Longest request UID accepted (Kubernetes sends a 36-character UUID). */
export const MAX_UID_CHARS = 128;
/**
 * Largest AdmissionReview body the webhook reads; larger ones get HTTP 413 (ADMISSION_BODY_TOO_LARGE).
 * The API server caps one request body at 3 MiB, and a review of an UPDATE carries the object twice
 * (object and oldObject), so 2 × 3 MiB plus 2 MiB for the envelope and JSON re-encoding. A smaller limit
 * would turn a legal UPDATE of a large object into a failed webhook call, which failurePolicy then decides.
 */
export const MAX_ADMISSION_REVIEW_BYTES = 8 * 1024 * 1024;

const UID_PATTERN = /^[A-Za-z0-9._:-]+$/;
const OPERATIONS = ['CREATE', 'UPDATE', 'DELETE', 'CONNECT'] as const;
const VERSION_HINT = 'set admissionReviewVersions: ["v1"] in the webhook configuration';

// fail throws the one error shape of this file: which field, what was wrong.
function fail(field: string, message: string, code: AdmissionErrorCode = 'ADMISSION_MALFORMED'): never {
  throw new AdmissionError(code, `AdmissionReview field ${field} ${message}`, { details: { field } });
}

/**
 * Reads `request.uid` when it is usable in an answer: a non-empty string of at most MAX_UID_CHARS
 * characters from `[A-Za-z0-9._:-]`. Undefined otherwise: the server then answers HTTP 400.
 */
export function readUid(body: unknown): string | undefined {
  if (!isRecord(body)) return undefined;
  const request = ownField(body, 'request');
  if (!isRecord(request)) return undefined;
  const uid = ownField(request, 'uid');
  if (typeof uid !== 'string' || uid.length === 0 || uid.length > MAX_UID_CHARS) return undefined;
  return UID_PATTERN.test(uid) ? uid : undefined;
}

// requireString reads a string field; `allowEmpty` admits "" (the core API group is spelled "").
function requireString(
  obj: Readonly<Record<string, unknown>>,
  key: string,
  field: string,
  allowEmpty = false,
): string {
  const value = ownField(obj, key);
  if (typeof value !== 'string') fail(field, `must be a string, but it is ${describeType(value)}`);
  if (!allowEmpty && value === '') fail(field, 'must not be empty');
  return value;
}

// optionalString reads a string field that may be absent (or null, as some clients send).
function optionalString(
  obj: Readonly<Record<string, unknown>>,
  key: string,
  field: string,
): string | undefined {
  const value = ownField(obj, key);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') fail(field, `must be a string when set, but it is ${describeType(value)}`);
  return value;
}

// requireRecord reads a nested object field.
function requireRecord(
  obj: Readonly<Record<string, unknown>>,
  key: string,
  field: string,
): Record<string, unknown> {
  const value = ownField(obj, key);
  if (!isRecord(value)) fail(field, `must be an object, but it is ${describeType(value)}`);
  return value;
}

// optionalObject reads `object` / `oldObject`: absent or null means none; anything else must be an object.
function optionalObject(
  obj: Readonly<Record<string, unknown>>,
  key: string,
): Record<string, unknown> | undefined {
  const value = ownField(obj, key);
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value))
    fail(`request.${key}`, `must be an object when set, but it is ${describeType(value)}`);
  return value;
}

// checkEnvelope checks apiVersion and kind, telling v1beta1 senders exactly what to change.
function checkEnvelope(body: Readonly<Record<string, unknown>>): void {
  const apiVersion = requireString(body, 'apiVersion', 'apiVersion');
  if (apiVersion !== ADMISSION_API_VERSION) {
    if (apiVersion.startsWith('admission.k8s.io/')) {
      fail(
        'apiVersion',
        `is ${quoteShort(apiVersion)}; only ${ADMISSION_API_VERSION} is supported: ${VERSION_HINT}`,
        'ADMISSION_UNSUPPORTED_VERSION',
      );
    }
    fail('apiVersion', `is ${quoteShort(apiVersion)}, not ${ADMISSION_API_VERSION}`);
  }
  const kind = requireString(body, 'kind', 'kind');
  if (kind !== 'AdmissionReview') fail('kind', `is ${quoteShort(kind)}, not AdmissionReview`);
}

// toUserInfo shape-checks request.userInfo; groups drive break-glass permissions, so each must be a string.
function toUserInfo(request: Readonly<Record<string, unknown>>): AdmissionRequestFacts['userInfo'] {
  const userInfo = requireRecord(request, 'userInfo', 'request.userInfo');
  const username = optionalString(userInfo, 'username', 'request.userInfo.username') ?? '';
  const rawGroups = ownField(userInfo, 'groups');
  if (rawGroups === undefined || rawGroups === null) return { username, groups: [] };
  if (!Array.isArray(rawGroups))
    fail('request.userInfo.groups', `must be an array, but it is ${describeType(rawGroups)}`);
  const groups = rawGroups.map((g: unknown, i) => {
    if (typeof g !== 'string')
      fail(`request.userInfo.groups[${i}]`, `must be a string, but it is ${describeType(g)}`);
    return g;
  });
  return { username, groups };
}

// toResource shape-checks the optional request.resource.
function toResource(request: Readonly<Record<string, unknown>>): AdmissionRequestFacts['resource'] {
  if (ownField(request, 'resource') === undefined) return undefined;
  const resource = requireRecord(request, 'resource', 'request.resource');
  return {
    group: requireString(resource, 'group', 'request.resource.group', true),
    version: requireString(resource, 'version', 'request.resource.version'),
    resource: requireString(resource, 'resource', 'request.resource.resource'),
  };
}

/**
 * Shape-checks an `admission.k8s.io/v1` AdmissionReview (attacker-controlled throughout) and returns
 * the request facts Portcullis reads. Throws AdmissionError: ADMISSION_UNSUPPORTED_VERSION for other
 * admission.k8s.io versions, ADMISSION_MISSING_UID when no usable uid, ADMISSION_MALFORMED otherwise,
 * with `details.field` naming the field.
 */
export function decodeAdmissionReview(body: unknown): DecodedAdmissionReview {
  if (!isRecord(body))
    fail('(root)', `must be an AdmissionReview object, but the body is ${describeType(body)}`);
  checkEnvelope(body);
  const request = requireRecord(body, 'request', 'request');
  const uid = readUid(body);
  if (uid === undefined) {
    fail(
      'request.uid',
      `must be a non-empty string of at most ${MAX_UID_CHARS} characters from [A-Za-z0-9._:-]`,
      'ADMISSION_MISSING_UID',
    );
  }
  const kindObj = requireRecord(request, 'kind', 'request.kind');
  const kind = {
    group: requireString(kindObj, 'group', 'request.kind.group', true),
    version: requireString(kindObj, 'version', 'request.kind.version'),
    kind: requireString(kindObj, 'kind', 'request.kind.kind'),
  };
  const operation = ownField(request, 'operation');
  if (typeof operation !== 'string' || !(OPERATIONS as readonly string[]).includes(operation)) {
    const got = typeof operation === 'string' ? quoteShort(operation) : describeType(operation);
    fail('request.operation', `must be one of ${OPERATIONS.join(', ')}, but it is ${got}`);
  }
  const subResource = optionalString(request, 'subResource', 'request.subResource');
  const namespace = optionalString(request, 'namespace', 'request.namespace') ?? '';
  // Namespaced policies (ImagePolicy) key on the namespace: a pod-bearing request without one is refused.
  if (namespace === '' && isPodBearingKind(kind))
    fail('request.namespace', `must be set for kind ${kind.kind}`);
  const dryRun = ownField(request, 'dryRun');
  if (dryRun !== undefined && dryRun !== null && typeof dryRun !== 'boolean') {
    fail('request.dryRun', `must be a boolean when set, but it is ${describeType(dryRun)}`);
  }
  const object = optionalObject(request, 'object');
  const oldObject = optionalObject(request, 'oldObject');
  const judged = isPodBearingKind(kind) && toJudgedContainerKinds(kind, subResource).length > 0;
  if (judged && (operation === 'CREATE' || operation === 'UPDATE') && object === undefined) {
    fail('request.object', `must be set for ${operation} of kind ${kind.kind}`);
  }
  const facts: AdmissionRequestFacts = {
    uid,
    kind,
    resource: toResource(request),
    subResource,
    name: optionalString(request, 'name', 'request.name'),
    namespace,
    operation: operation as AdmissionRequestFacts['operation'],
    userInfo: toUserInfo(request),
    dryRun: dryRun === true,
    object,
    oldObject,
  };
  return { uid, request: facts };
}
