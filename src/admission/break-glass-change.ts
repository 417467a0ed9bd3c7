import { toBreakGlassState } from '../policy/decide/break-glass';
import type { AdmissionRequestFacts } from './admission.types';
import { extractPodSpec } from './extract';

// requestsBreakGlass: does this object (pod or pod template) carry a break-glass request?
function requestsBreakGlass(request: AdmissionRequestFacts, object: unknown): boolean {
  const pod = extractPodSpec(request.kind, object, request.subResource)?.facts;
  return toBreakGlassState(pod?.annotations ?? {}).requestedBy !== undefined;
}

/**
 * For an UPDATE: true when the new object requests break-glass and the old one did not. Such an update is
 * judged even if no image changed, since Pods that controllers later create from it would inherit the
 * request (break-glass `allowedGroups`, docs/policy.md). An old object that cannot be read counts as "did not".
 */
export function breakGlassTurnedOn(request: AdmissionRequestFacts): boolean {
  if (!requestsBreakGlass(request, request.object)) return false;
  try {
    return !requestsBreakGlass(request, request.oldObject);
  } catch {
    return true;
  }
}
