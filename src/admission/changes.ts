import type { AdmissionRequestFacts, ImageUse } from './admission.types';
import type { KindRef } from './admission-review.types';
import { breakGlassTurnedOn } from './break-glass-change';
import { extractImages } from './extract';
import { isPodBearingKind, toJudgedContainerKinds } from './kinds';

// toImageKeys lists (field, image) pairs in a canonical order, so two objects compare as multisets.
function toImageKeys(kind: KindRef, object: unknown, subResource?: string): string[] {
  return extractImages(kind, object, subResource)
    .map((u) => `${u.field}\u0000${u.image}`)
    .sort();
}

/**
 * For an UPDATE: true when the multiset of (field, image) differs between the new object and the old one.
 * An old object that cannot be read counts as a change (review rather than skip); a malformed new object
 * throws, as it would on CREATE.
 */
export function imagesChanged(
  kind: KindRef,
  object: unknown,
  oldObject: unknown,
  subResource?: string,
): boolean {
  const now = toImageKeys(kind, object, subResource);
  let before: string[];
  try {
    before = toImageKeys(kind, oldObject, subResource);
  } catch {
    return true;
  }
  return now.length !== before.length || now.some((key, i) => key !== before[i]);
}

/**
 * Whether a request needs a policy decision at all: not for DELETE or CONNECT, not for kinds or
 * subresources that carry no image, not for an UPDATE that leaves every image as it was (unless it turns
 * break-glass on). CREATE of a pod-bearing object always does. Throws ADMISSION_MALFORMED /
 * ADMISSION_TOO_MANY_CONTAINERS from the new object of an UPDATE.
 */
export function needsReview(request: AdmissionRequestFacts): boolean {
  if (request.operation === 'DELETE' || request.operation === 'CONNECT') return false;
  if (
    !isPodBearingKind(request.kind) ||
    toJudgedContainerKinds(request.kind, request.subResource).length === 0
  ) {
    return false;
  }
  if (request.operation === 'UPDATE') {
    return (
      imagesChanged(request.kind, request.object, request.oldObject, request.subResource) ||
      breakGlassTurnedOn(request)
    );
  }
  return true;
}

/**
 * The image fields a request asks Portcullis to judge: every one on CREATE; on UPDATE only those whose
 * (field, image) pair is new, since an unchanged container keeps running what was admitted before and
 * pinning it now would restart it. An old object that cannot be read makes every field count as new.
 */
export function imagesToJudge(request: AdmissionRequestFacts): ImageUse[] {
  const uses = extractImages(request.kind, request.object, request.subResource);
  if (request.operation !== 'UPDATE') return uses;
  let before: Set<string>;
  try {
    before = new Set(
      extractImages(request.kind, request.oldObject, request.subResource).map(
        (u) => `${u.pointer}\u0000${u.image}`,
      ),
    );
  } catch {
    return uses;
  }
  return uses.filter((u) => !before.has(`${u.pointer}\u0000${u.image}`));
}

/**
 * Whether the request creates or changes a Pod itself (not a workload template): the objects whose
 * governed images must be pinned to the digest Portcullis verified (docs/policy.md, "The pinning guarantee").
 */
export function isPodRequest(request: AdmissionRequestFacts): boolean {
  return request.kind.group === '' && request.kind.kind === 'Pod';
}
