import type { AdmissionRequestFacts, PodFacts } from '../admission/admission.types';
import type { NoMatchAction } from '../policy/compiled.types';
import type { RequestFacts } from '../policy/decision.types';

/** The annotations that request break-glass; either one set to "true" counts (OKE's, and ours). */
export const BREAK_GLASS_ANNOTATIONS = [
  'portcullis.dev/break-glass',
  'oracle.image-policy.k8s.io/break-glass',
] as const;
export const BREAK_GLASS_REASON_ANNOTATION = 'portcullis.dev/break-glass-reason';
/** Reasons are free text from the user; keep them short in audit records. */
export const MAX_BREAK_GLASS_REASON_CHARS = 256;

// toRequestFacts gathers the request-level inputs of the pure decision from the request and pod facts.
export function toRequestFacts(
  request: AdmissionRequestFacts,
  pod: PodFacts | undefined,
  noMatch: NoMatchAction,
): RequestFacts {
  const annotations = pod?.annotations ?? {};
  const used = BREAK_GLASS_ANNOTATIONS.find((name) => annotations[name]?.trim().toLowerCase() === 'true');
  const reason = annotations[BREAK_GLASS_REASON_ANNOTATION]?.trim().slice(0, MAX_BREAK_GLASS_REASON_CHARS);
  const name =
    typeof (request.object as { metadata?: { name?: unknown } } | undefined)?.metadata?.name === 'string'
      ? (request.object as { metadata: { name: string } }).metadata.name
      : (request.name ?? '');
  return {
    namespace: request.namespace,
    objectKind: request.kind.kind,
    objectName: name,
    breakGlassRequested: used !== undefined,
    ...(used ? { breakGlassAnnotation: used } : {}),
    ...(reason ? { breakGlassReason: reason } : {}),
    userName: request.userInfo.username,
    userGroups: request.userInfo.groups,
    noMatch,
  };
}
