import type { AdmissionRequestFacts } from '../../src/admission/admission.types';

// podObject is a Pod in team-a with one container per image, as the API server sends it.
function podObject(images: readonly string[], annotations: Record<string, string>): unknown {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'team-a', annotations },
    spec: { containers: images.map((image, i) => ({ name: `c${i}`, image })) },
  };
}

/**
 * The decoded request of a Pod CREATE by alice in team-a with one container per image, for engine tests.
 * `oldImages` adds an old object (for an UPDATE); any other request field can be overridden.
 */
export function podRequest(
  images: readonly string[],
  extra: Partial<AdmissionRequestFacts> & {
    annotations?: Record<string, string>;
    oldImages?: readonly string[];
  } = {},
): AdmissionRequestFacts {
  const { annotations = {}, oldImages, ...rest } = extra;
  return {
    uid: 'u',
    kind: { group: '', version: 'v1', kind: 'Pod' },
    namespace: 'team-a',
    operation: 'CREATE',
    userInfo: { username: 'alice', groups: [] },
    dryRun: false,
    object: podObject(images, annotations),
    ...(oldImages ? { oldObject: podObject(oldImages, {}) } : {}),
    ...rest,
  };
}
