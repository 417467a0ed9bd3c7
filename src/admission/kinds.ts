import type { KindRef } from './admission-review.types';

/** Where the pod spec sits in one pod-bearing kind, and the metadata whose annotations count for it. */
export interface PodBearingKind {
  readonly group: string;
  readonly kind: string;
  /** The REST resource name, for synthetic requests built from manifests. */
  readonly resource: string;
  /** Keys from the object root to the pod spec. */
  readonly specPath: readonly string[];
  /**
   * Keys from the object root to each `metadata` whose annotations apply, outermost first; a later
   * (inner) one wins on a conflicting key, so the pod template's own annotations have the last word.
   */
  readonly metadataPaths: readonly (readonly string[])[];
}

const TEMPLATE_SPEC = ['spec', 'template', 'spec'];
const TEMPLATE_METADATA = [['metadata'], ['spec', 'template', 'metadata']];

// Every kind that carries a pod spec (docs/policy.md#which-images-are-checked); by group + kind, any version.
const POD_BEARING: readonly PodBearingKind[] = [
  { group: '', kind: 'Pod', resource: 'pods', specPath: ['spec'], metadataPaths: [['metadata']] },
  {
    group: '',
    kind: 'ReplicationController',
    resource: 'replicationcontrollers',
    specPath: TEMPLATE_SPEC,
    metadataPaths: TEMPLATE_METADATA,
  },
  ...(['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet'] as const).map((kind) => ({
    group: 'apps',
    kind,
    resource: kind.toLowerCase() + 's',
    specPath: TEMPLATE_SPEC,
    metadataPaths: TEMPLATE_METADATA,
  })),
  {
    group: 'batch',
    kind: 'Job',
    resource: 'jobs',
    specPath: TEMPLATE_SPEC,
    metadataPaths: TEMPLATE_METADATA,
  },
  {
    group: 'batch',
    kind: 'CronJob',
    resource: 'cronjobs',
    specPath: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
    metadataPaths: [
      ['metadata'],
      ['spec', 'jobTemplate', 'metadata'],
      ['spec', 'jobTemplate', 'spec', 'template', 'metadata'],
    ],
  },
];

/** The subresource of Pods through which ephemeral (debug) containers are added. */
export const EPHEMERAL_CONTAINERS_SUBRESOURCE = 'ephemeralcontainers';

/** Finds the pod-bearing kind for `kind`, or undefined when the kind carries no pod spec. */
export function toPodBearingKind(kind: KindRef): PodBearingKind | undefined {
  return POD_BEARING.find((k) => k.group === kind.group && k.kind === kind.kind);
}

/** True when objects of this kind carry a pod spec that Portcullis judges. */
export function isPodBearingKind(kind: KindRef): boolean {
  return toPodBearingKind(kind) !== undefined;
}

/**
 * Which container lists a request judges: all three for the main resource, only `ephemeralContainers`
 * for `pods/ephemeralcontainers` (the other lists cannot change through it), none for any other
 * subresource (status, scale, resize, ... cannot change images).
 */
export function toJudgedContainerKinds(
  kind: KindRef,
  subResource: string | undefined,
): readonly ('containers' | 'initContainers' | 'ephemeralContainers')[] {
  if (subResource === undefined || subResource === '') {
    return ['containers', 'initContainers', 'ephemeralContainers'];
  }
  if (kind.group === '' && kind.kind === 'Pod' && subResource === EPHEMERAL_CONTAINERS_SUBRESOURCE) {
    return ['ephemeralContainers'];
  }
  return [];
}
