import type { ImageUse, PodFacts } from './admission.types';
import type { ExtractedPodSpec, KindRef } from './admission-review.types';
import { AdmissionError } from './errors';
import { toJudgedContainerKinds, toPodBearingKind } from './kinds';
import { describeType, ownField, toFieldPath, toPointer } from './shape';
import { isRecord } from '../guards';
import { toPodPlacement } from './placement';

/** Most containers (all three lists together) one object may carry; more is denied, not truncated. */
export const MAX_CONTAINERS_PER_OBJECT = 256;
/** The ServiceAccount a pod runs as when its spec names none. */
export const DEFAULT_SERVICE_ACCOUNT = 'default';

// malformed builds the error for an object whose pod spec Portcullis cannot read (the object is attacker-controlled).
function malformed(kind: KindRef, path: readonly (string | number)[], what: string): AdmissionError {
  const field = toFieldPath(path);
  return new AdmissionError('ADMISSION_MALFORMED', `${kind.kind} field ${field} ${what}`, {
    details: { field },
  });
}

// walk follows object keys down to a nested object, reporting the first step that is not an object.
function walk(
  kind: KindRef,
  root: Readonly<Record<string, unknown>>,
  path: readonly string[],
): Record<string, unknown> {
  let cur: Record<string, unknown> = root;
  for (let i = 0; i < path.length; i++) {
    const next = ownField(cur, path[i] as string);
    if (!isRecord(next))
      throw malformed(kind, path.slice(0, i + 1), `must be an object, but it is ${describeType(next)}`);
    cur = next;
  }
  return cur;
}

// tryWalk is walk for optional places (metadata): undefined instead of an error.
function tryWalk(
  root: Readonly<Record<string, unknown>>,
  path: readonly string[],
): Record<string, unknown> | undefined {
  let cur: unknown = root;
  for (const key of path) cur = isRecord(cur) ? ownField(cur, key) : undefined;
  return isRecord(cur) ? cur : undefined;
}

// toAnnotations merges string annotations outermost first, so the pod template's own value wins a conflict.
// Non-string values are dropped: a missing break-glass annotation fails closed.
function toAnnotations(
  root: Readonly<Record<string, unknown>>,
  metadataPaths: readonly (readonly string[])[],
) {
  const merged = new Map<string, string>();
  for (const path of metadataPaths) {
    const annotations = tryWalk(root, [...path, 'annotations']);
    if (annotations === undefined) continue;
    for (const [key, value] of Object.entries(annotations))
      if (typeof value === 'string') merged.set(key, value);
  }
  // Object.fromEntries defines own properties, so a `__proto__` key stays a plain key.
  return Object.fromEntries(merged);
}

// toPullSecretNames keeps the names that are strings; a malformed entry only loses its credentials (fails closed).
function toPullSecretNames(spec: Readonly<Record<string, unknown>>): string[] {
  const list = ownField(spec, 'imagePullSecrets');
  if (!Array.isArray(list)) return [];
  const names: string[] = [];
  for (const entry of list as unknown[]) {
    const name = isRecord(entry) ? ownField(entry, 'name') : undefined;
    if (typeof name === 'string' && name !== '') names.push(name);
  }
  return names;
}

// toServiceAccountName follows the API server's defaulting: serviceAccountName, then the deprecated serviceAccount.
function toServiceAccountName(spec: Readonly<Record<string, unknown>>): string {
  for (const key of ['serviceAccountName', 'serviceAccount']) {
    const value = ownField(spec, key);
    if (typeof value === 'string' && value !== '') return value;
  }
  return DEFAULT_SERVICE_ACCOUNT;
}

/**
 * Finds the pod spec of a pod-bearing object (attacker-controlled): `spec` for a Pod, the pod template's
 * spec for controllers. PodFacts.annotations merge the object's own annotations with the template's (the
 * template wins a conflict), so break-glass works on either. Returns undefined for kinds that carry no pod
 * spec and for subresources that cannot change images; throws ADMISSION_MALFORMED when the path to the
 * spec is not made of objects.
 */
export function extractPodSpec(
  kind: KindRef,
  object: unknown,
  subResource?: string,
): ExtractedPodSpec | undefined {
  const podKind = toPodBearingKind(kind);
  if (podKind === undefined) return undefined;
  const containerKinds = toJudgedContainerKinds(kind, subResource);
  if (containerKinds.length === 0) return undefined;
  if (!isRecord(object))
    throw malformed(kind, [], `object must be an object, but it is ${describeType(object)}`);
  const spec = walk(kind, object, podKind.specPath);
  const facts: PodFacts = {
    annotations: toAnnotations(object, podKind.metadataPaths),
    imagePullSecrets: toPullSecretNames(spec),
    serviceAccountName: toServiceAccountName(spec),
    placement: toPodPlacement(spec),
    specPointer: toPointer(podKind.specPath),
  };
  return { spec, specPath: podKind.specPath, facts, containerKinds };
}

// toContainerLists reads each judged list, refusing non-arrays and counting before any work per container.
function toContainerLists(kind: KindRef, found: ExtractedPodSpec): [ImageUse['containerKind'], unknown[]][] {
  const lists: [ImageUse['containerKind'], unknown[]][] = [];
  let total = 0;
  for (const containerKind of found.containerKinds) {
    const list = ownField(found.spec, containerKind);
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) {
      throw malformed(
        kind,
        [...found.specPath, containerKind],
        `must be an array, but it is ${describeType(list)}`,
      );
    }
    total += list.length;
    lists.push([containerKind, list]);
  }
  if (total > MAX_CONTAINERS_PER_OBJECT) {
    throw new AdmissionError(
      'ADMISSION_TOO_MANY_CONTAINERS',
      `${kind.kind} has ${total} containers; Portcullis judges at most ${MAX_CONTAINERS_PER_OBJECT} per object. Split the workload.`,
      { details: { containers: total, limit: MAX_CONTAINERS_PER_OBJECT } },
    );
  }
  return lists;
}

/**
 * Every image field of a pod-bearing object, in order: containers, initContainers, ephemeralContainers.
 * A container whose image is missing or not a string yields image "" so the policy layer denies it; none
 * is skipped. Returns [] for kinds without a pod spec. Throws ADMISSION_MALFORMED or ADMISSION_TOO_MANY_CONTAINERS.
 */
export function extractImages(kind: KindRef, object: unknown, subResource?: string): ImageUse[] {
  const found = extractPodSpec(kind, object, subResource);
  return found === undefined ? [] : toImageUses(kind, found);
}

/**
 * The image fields of a pod spec that extractPodSpec found, in order (see extractImages). Lets a caller that
 * needs both the pod facts and the images walk the object once.
 */
export function toImageUses(kind: KindRef, found: ExtractedPodSpec): ImageUse[] {
  const uses: ImageUse[] = [];
  for (const [containerKind, list] of toContainerLists(kind, found)) {
    // An index loop, not forEach: every slot is judged, holes included.
    for (let index = 0; index < list.length; index++) {
      const entry = list[index];
      const name = isRecord(entry) ? ownField(entry, 'name') : undefined;
      const image = isRecord(entry) ? ownField(entry, 'image') : undefined;
      const path = [...found.specPath, containerKind, index, 'image'];
      uses.push({
        image: typeof image === 'string' ? image : '',
        field: toFieldPath(path),
        pointer: toPointer(path),
        container: typeof name === 'string' ? name : '',
        containerKind,
      });
    }
  }
  return uses;
}
