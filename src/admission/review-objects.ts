import type { AdmissionRequestFacts } from './admission.types';
import type { DecodedAdmissionReview, ReviewRequests, SkippedObject } from './admission-review.types';
import { decodeAdmissionReview } from './decode';
import { AdmissionError, isAdmissionError } from './errors';
import { toPodBearingKind } from './kinds';
import { describeType, ownField, quoteShort } from './shape';
import { isRecord } from '../guards';

/** The user name synthetic requests carry, so break-glass `allowedGroups` never match by accident. */
export const REVIEW_USERNAME = 'portcullis-review';
/** The namespace of an object whose manifest names none, as `kubectl apply` would default it. */
export const REVIEW_DEFAULT_NAMESPACE = 'default';
/** Most objects (reviewed and skipped) one `portcullis review` file may hold. */
export const MAX_REVIEW_OBJECTS = 1000;
/** Deepest nesting of `kind: List` inside `kind: List`. */
export const MAX_LIST_DEPTH = 3;

interface Collector {
  readonly requests: DecodedAdmissionReview[];
  readonly skipped: SkippedObject[];
}

// malformed reports a document the CLI cannot review, naming where it is in the file.
function malformed(location: string, what: string): AdmissionError {
  return new AdmissionError('ADMISSION_MALFORMED', `${location} ${what}`, { details: { field: location } });
}

// toGroupVersion splits `apps/v1` into group and version; the core group (`v1`) is "".
function toGroupVersion(apiVersion: string, location: string): { group: string; version: string } {
  const parts = apiVersion.split('/');
  if (parts.length === 1 && parts[0] !== '') return { group: '', version: parts[0] as string };
  if (parts.length === 2 && parts[0] !== '' && parts[1] !== '')
    return { group: parts[0] as string, version: parts[1] as string };
  throw malformed(
    location,
    `has apiVersion ${quoteShort(apiVersion)}, which is not "version" or "group/version"`,
  );
}

// metadataString reads metadata.name / metadata.namespace when they are non-empty strings.
function metadataString(doc: Readonly<Record<string, unknown>>, key: string): string | undefined {
  const metadata = ownField(doc, 'metadata');
  const value = isRecord(metadata) ? ownField(metadata, key) : undefined;
  return typeof value === 'string' && value !== '' ? value : undefined;
}

// toSyntheticCreate builds the CREATE request the API server would send for this object.
function toSyntheticCreate(
  uid: string,
  doc: Record<string, unknown>,
  group: string,
  version: string,
  kind: string,
  resource: string,
) {
  const request: AdmissionRequestFacts = {
    uid,
    kind: { group, version, kind },
    resource: { group, version, resource },
    name: metadataString(doc, 'name') ?? metadataString(doc, 'generateName'),
    namespace: metadataString(doc, 'namespace') ?? REVIEW_DEFAULT_NAMESPACE,
    operation: 'CREATE',
    userInfo: { username: REVIEW_USERNAME, groups: [] },
    dryRun: false,
    object: doc,
  };
  return { uid, request };
}

// collect sorts one document (or list item) into requests or skipped, descending into lists.
function collect(doc: unknown, location: string, depth: number, out: Collector): void {
  if (doc === null || doc === undefined) return; // an empty YAML document
  if (out.requests.length + out.skipped.length >= MAX_REVIEW_OBJECTS) {
    throw malformed(location, `is past the limit of ${MAX_REVIEW_OBJECTS} objects per file; split the file`);
  }
  if (!isRecord(doc)) throw malformed(location, `is ${describeType(doc)}, not a Kubernetes object`);
  const apiVersion = ownField(doc, 'apiVersion');
  const kind = ownField(doc, 'kind');
  if (typeof apiVersion !== 'string' || apiVersion === '')
    throw malformed(location, 'has no apiVersion string');
  if (typeof kind !== 'string' || kind === '') throw malformed(location, 'has no kind string');
  if (kind === 'AdmissionReview') {
    try {
      out.requests.push(decodeAdmissionReview(doc));
    } catch (e) {
      if (!isAdmissionError(e)) throw e;
      throw new AdmissionError(e.code, `${location}: ${e.message}`, { cause: e, details: e.details });
    }
    return;
  }
  const items = ownField(doc, 'items');
  if (kind.endsWith('List') && Array.isArray(items)) {
    if (depth >= MAX_LIST_DEPTH) throw malformed(location, `nests lists deeper than ${MAX_LIST_DEPTH}`);
    items.forEach((item: unknown, i) => collect(item, `${location}, item ${i}`, depth + 1, out));
    return;
  }
  const { group, version } = toGroupVersion(apiVersion, location);
  const podKind = toPodBearingKind({ group, kind });
  if (podKind === undefined) {
    const name = metadataString(doc, 'name');
    out.skipped.push({
      location,
      apiVersion,
      kind,
      name,
      reason: 'not a pod-bearing kind: it runs no container images',
    });
    return;
  }
  const uid = `portcullis-review-${out.requests.length + 1}`;
  out.requests.push(toSyntheticCreate(uid, doc, group, version, kind, podKind.resource));
}

/**
 * For `portcullis review -f FILE`: turns parsed documents into admission requests. An AdmissionReview is
 * decoded as the webhook would; a plain manifest of a pod-bearing kind (also inside `kind: List` or
 * `*List` items) becomes a synthetic CREATE by user `portcullis-review` in its namespace or "default".
 * Other objects are listed in `skipped`. Empty documents are ignored. Throws ADMISSION_MALFORMED (or the
 * AdmissionReview's own code) naming the document.
 */
export function toReviewRequests(docs: readonly unknown[]): ReviewRequests {
  const out: Collector = { requests: [], skipped: [] };
  docs.forEach((doc, i) => collect(doc, `document ${i + 1}`, 0, out));
  return out;
}
