import type { AdmissionRequestFacts } from '../admission/admission.types';
import { truncateUtf8 } from '../admission/sanitise';
import type { RequestEvaluation } from '../engine/evaluate-request';
import { AUDIT_KEYS } from '../policy';
import { boundedJoin, oneLine } from '../policy/decide/decide-format';
import { isRecord } from '../guards';

/** events.k8s.io/v1 rejects a `note` longer than 1 kB; we cut it (on a UTF-8 boundary) below that. */
export const MAX_EVENT_NOTE_BYTES = 1024;
/** Longest part of a note that describes one image's failure. */
const MAX_IMAGE_LINE_CHARS = 300;
/** Longest user name quoted in a note. */
const MAX_USERNAME_CHARS = 128;

export type DecisionEventReason =
  'PortcullisDenied' | 'PortcullisWarn' | 'PortcullisAudit' | 'PortcullisBreakGlass';

/** An object reference as events.k8s.io/v1 `regarding` / `related` take it. */
export interface EventObjectRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
  readonly uid?: string;
}

/** One Event to record about an admission decision (API-agnostic; the recorder turns it into an object). */
export interface DecisionEvent {
  readonly namespace: string;
  /** Always Warning: each of these records an image that failed a policy, or a policy being bypassed. */
  readonly type: 'Warning';
  readonly reason: DecisionEventReason;
  /** What Portcullis did with the object. */
  readonly action: 'Denied' | 'Admitted';
  readonly note: string;
  readonly regarding: EventObjectRef;
  /** The controller that created the object (e.g. the ReplicaSet of a pod), when it says so. */
  readonly related?: EventObjectRef;
}

// str reads a string field of an unvalidated (attacker-controlled) object.
function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * The admitted object as `regarding`: kind and apiVersion from the request, the name (or, for pods that a
 * controller creates, the generateName prefix), the namespace, and the uid only when the object exists
 * already (not on CREATE). `related` is its controller owner, so `kubectl describe` of a ReplicaSet or Job
 * shows why its pods are refused.
 */
export function toObjectRefs(request: AdmissionRequestFacts): {
  regarding: EventObjectRef;
  related?: EventObjectRef;
} {
  const obj = isRecord(request.object) ? request.object : {};
  const meta = isRecord(obj.metadata) ? obj.metadata : {};
  const { group, version, kind } = request.kind;
  const uid = request.operation === 'CREATE' ? undefined : str(meta.uid);
  const regarding: EventObjectRef = {
    apiVersion: group === '' ? version : `${group}/${version}`,
    kind,
    name: str(request.name) ?? str(meta.name) ?? str(meta.generateName) ?? '',
    namespace: request.namespace,
    ...(uid ? { uid } : {}),
  };
  const owners = Array.isArray(meta.ownerReferences) ? meta.ownerReferences : [];
  const owner = owners.find((o: unknown) => isRecord(o) && o.controller === true) as
    Record<string, unknown> | undefined;
  const ownerKind = str(owner?.kind);
  const ownerName = str(owner?.name);
  const ownerApi = str(owner?.apiVersion);
  if (!ownerKind || !ownerName || !ownerApi) return { regarding };
  const ownerUid = str(owner?.uid);
  const related: EventObjectRef = {
    apiVersion: ownerApi,
    kind: ownerKind,
    name: ownerName,
    namespace: request.namespace,
    ...(ownerUid ? { uid: ownerUid } : {}),
  };
  return { regarding, related };
}

// failuresOf lists `image: policy: reasons` for the failed verdicts of one mode.
function failuresOf(evaluation: RequestEvaluation, mode: 'warn' | 'audit'): string[] {
  return evaluation.decision.images.flatMap((image) =>
    image.verdicts
      .filter((v) => v.mode === mode && !v.passed)
      .map((v) =>
        oneLine(
          `${image.image} (${image.field}): ${v.policyId}: ${v.reasons.join('; ')}`,
          MAX_IMAGE_LINE_CHARS,
        ),
      ),
  );
}

/**
 * The Events one decision deserves: a denial; warn-mode and audit-mode failures; a break-glass use (with
 * user, reason and images). Notes are single-line, bounded to MAX_EVENT_NOTE_BYTES, and quote only
 * bounded, control-character-free text (image strings and reasons are attacker-controlled).
 */
export function toDecisionEvents(
  request: AdmissionRequestFacts,
  evaluation: RequestEvaluation,
): DecisionEvent[] {
  const { decision } = evaluation;
  const refs = toObjectRefs(request);
  const what = `${refs.regarding.kind} ${refs.regarding.name || '<unnamed>'}`;
  const user = oneLine(request.userInfo.username, MAX_USERNAME_CHARS);
  const action = decision.allowed ? 'Admitted' : 'Denied';
  const events: DecisionEvent[] = [];
  const add = (reason: DecisionEventReason, note: string): void => {
    events.push({
      namespace: request.namespace,
      type: 'Warning',
      reason,
      action,
      note: truncateUtf8(oneLine(note, MAX_EVENT_NOTE_BYTES * 4), MAX_EVENT_NOTE_BYTES, '…'),
      regarding: refs.regarding,
      ...(refs.related ? { related: refs.related } : {}),
    });
  };
  if (!decision.allowed) add('PortcullisDenied', `${what} denied (user ${user}): ${decision.message ?? ''}`);
  if (decision.breakGlassUsed) {
    const reason = decision.auditAnnotations[AUDIT_KEYS.breakGlassReason];
    const images = decision.auditAnnotations[AUDIT_KEYS.breakGlassImages] ?? '';
    add(
      'PortcullisBreakGlass',
      `break-glass used by ${user} (${reason ? `reason: ${reason}` : 'no reason given'}): ${what} admitted despite failing policies: ${images}`,
    );
  }
  const warn = failuresOf(evaluation, 'warn');
  if (warn.length > 0)
    add('PortcullisWarn', `${what} would be denied by warn-mode policies: ${boundedJoin(warn, ' | ', 900)}`);
  const audit = failuresOf(evaluation, 'audit');
  if (audit.length > 0)
    add('PortcullisAudit', `${what} fails audit-mode policies: ${boundedJoin(audit, ' | ', 900)}`);
  return events;
}
