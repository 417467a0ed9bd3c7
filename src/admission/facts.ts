import { toBreakGlassState } from '../policy/decide/break-glass';
import type { AdmissionFacts, AdmissionRequestFacts, ImageUse, PodFacts } from './admission.types';
import { extractPodSpec, toImageUses } from './extract';
import { isPodBearingKind, toJudgedContainerKinds } from './kinds';

/** What one object of a request yields, read in one walk of its pod spec. */
interface ObjectFacts {
  readonly images: readonly ImageUse[];
  readonly pod: PodFacts | undefined;
}

// readObject walks one object's pod spec once, for its image fields and its pod facts. Throws
// ADMISSION_MALFORMED or ADMISSION_TOO_MANY_CONTAINERS (the object is attacker-controlled).
function readObject(request: AdmissionRequestFacts, object: unknown): ObjectFacts {
  const found = extractPodSpec(request.kind, object, request.subResource);
  if (found === undefined) return { images: [], pod: undefined };
  return { images: toImageUses(request.kind, found), pod: found.facts };
}

// readOldObject is readObject for an UPDATE's old object: undefined when it cannot be read, which counts as
// a change (review rather than skip).
function readOldObject(request: AdmissionRequestFacts): ObjectFacts | undefined {
  try {
    return readObject(request, request.oldObject);
  } catch {
    return undefined;
  }
}

// useKey names one (field, image) pair; the pointer stands for the field (one path gives both).
function useKey(use: ImageUse): string {
  return `${use.pointer}\u0000${use.image}`;
}

// imagesChanged: whether the multiset of (field, image) pairs differs between the new and the old object.
function imagesChanged(now: readonly ImageUse[], before: readonly ImageUse[]): boolean {
  const a = now.map(useKey).sort();
  const b = before.map(useKey).sort();
  return a.length !== b.length || a.some((key, i) => key !== b[i]);
}

// requestsBreakGlass: does this pod (or pod template) carry a break-glass request?
function requestsBreakGlass(pod: PodFacts | undefined): boolean {
  return toBreakGlassState(pod?.annotations ?? {}).requestedBy !== undefined;
}

// placementKey renders a pod's placement facts canonically, to tell whether an UPDATE changed them.
function placementKey(pod: PodFacts | undefined): string {
  if (pod?.placement === undefined) return '';
  const { runtimeClassName, nodeSelector, requiredTerms } = pod.placement;
  return JSON.stringify([
    runtimeClassName ?? null,
    Object.entries(nodeSelector).sort(),
    requiredTerms ?? null,
  ]);
}

// isReviewedKind: the operation and (sub)resource can change an image at all.
function isReviewedKind(request: AdmissionRequestFacts): boolean {
  if (request.operation === 'DELETE' || request.operation === 'CONNECT') return false;
  return (
    isPodBearingKind(request.kind) && toJudgedContainerKinds(request.kind, request.subResource).length > 0
  );
}

/**
 * Reads a decoded request once into the facts every later step uses (admission.types.ts, AdmissionFacts):
 * whether it needs a policy decision, every image field of the new object, the fields to judge, and the pod
 * facts. An UPDATE needs a decision when its (field, image) multiset changes or when it turns break-glass on
 * (Pods that controllers create from it would inherit the request: break-glass `allowedGroups`,
 * docs/policy.md); it judges only the new pairs, since an unchanged container keeps running what was
 * admitted before and pinning it now would restart it. An UPDATE that changes the placement (runtimeClassName,
 * nodeSelector, required node affinity) judges every image, since spec.placement binds each of them. An old object that cannot be read counts as a change
 * and makes every field new. Throws ADMISSION_MALFORMED / ADMISSION_TOO_MANY_CONTAINERS for a new object
 * whose pod spec cannot be read.
 */
export function toAdmissionFacts(request: AdmissionRequestFacts): AdmissionFacts {
  const isPod = request.kind.group === '' && request.kind.kind === 'Pod';
  if (!isReviewedKind(request))
    return { request, isPod, needsReview: false, images: [], judged: [], pod: undefined };
  const { images, pod } = readObject(request, request.object);
  const reviewed = { request, isPod, needsReview: true, images, pod };
  if (request.operation !== 'UPDATE') return { ...reviewed, judged: images };
  const old = readOldObject(request);
  if (old === undefined) return { ...reviewed, judged: images };
  // A changed placement (a workload template's runtimeClassName, nodeSelector or node affinity) is judged
  // against every image: spec.placement binds where each governed image may run.
  if (placementKey(pod) !== placementKey(old.pod)) return { ...reviewed, judged: images };
  const before = new Set(old.images.map(useKey));
  const judged = images.filter((use) => !before.has(useKey(use)));
  const needsReview =
    imagesChanged(images, old.images) || (requestsBreakGlass(pod) && !requestsBreakGlass(old.pod));
  return { ...reviewed, needsReview, judged };
}
