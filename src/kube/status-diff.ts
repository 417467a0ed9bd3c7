import type { PolicyCondition, PolicyStatus } from '../policy';

// canonicalCondition lists the fields Portcullis owns in a condition, in a fixed order.
function canonicalCondition(c: PolicyCondition): unknown[] {
  return [c.type, c.status, c.reason, c.message, c.observedGeneration ?? null, c.lastTransitionTime];
}

/** A stable string of what we write to status; equal strings mean no write is needed. */
export function statusFingerprint(status: PolicyStatus | undefined): string {
  const conditions = [...(status?.conditions ?? [])]
    .sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0))
    .map(canonicalCondition);
  const summary = status?.summary === undefined ? null : [status.summary.images, status.summary.authorities];
  return JSON.stringify([status?.observedGeneration ?? null, conditions, summary]);
}

/**
 * True when `desired` differs from what the object carries. Our own status writes come back as update
 * events; comparing first (toPolicyStatus keeps lastTransitionTime when Ready did not flip) is what stops
 * a write → event → write loop.
 */
export function statusChanged(current: PolicyStatus | undefined, desired: PolicyStatus): boolean {
  return statusFingerprint(current) !== statusFingerprint(desired);
}
