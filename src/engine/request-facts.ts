import type { AdmissionFacts } from '../admission/admission.types';
import { selectionSubject, selectPolicies, type SelectionSubject } from '../policy';
import {
  BREAK_GLASS_REASON_ANNOTATION,
  DEFAULT_BREAK_GLASS_SETTINGS,
  toBreakGlassState,
  type BreakGlassSettings,
} from '../policy/decide/break-glass';
import type { CompiledPolicy, NoMatchAction } from '../policy/compile/compiled.types';
import type { RequestFacts } from '../policy/decide/decision.types';
import { parseImageReference } from '../reference';
import type { PolicySnapshot } from '../policy-sources/snapshot';

/** What the request-level facts are gathered with, beyond the request itself. */
export interface RequestFactsContext {
  readonly noMatch: NoMatchAction;
  /** The webhook's break-glass settings (serve flags); DEFAULT_BREAK_GLASS_SETTINGS when absent. */
  readonly breakGlass?: BreakGlassSettings;
  /** The policies in force and the namespace's labels: with both, a break-glass request lists the policies governing every image. */
  readonly snapshot?: PolicySnapshot;
  readonly namespaceLabels?: Parameters<typeof selectPolicies>[3];
}

// toRequestFacts gathers the request-level inputs of the pure decision from the request's admission facts.
export function toRequestFacts(facts: AdmissionFacts, context: RequestFactsContext): RequestFacts {
  const { request } = facts;
  const annotations = facts.pod?.annotations ?? {};
  const { requestedBy, nearMiss } = toBreakGlassState(annotations);
  const reason = annotations[BREAK_GLASS_REASON_ANNOTATION];
  const name =
    typeof (request.object as { metadata?: { name?: unknown } } | undefined)?.metadata?.name === 'string'
      ? (request.object as { metadata: { name: string } }).metadata.name
      : (request.name ?? '');
  const { snapshot, namespaceLabels } = context;
  const governing =
    requestedBy && snapshot && namespaceLabels ? governingAll(facts, snapshot, namespaceLabels) : undefined;
  return {
    namespace: request.namespace,
    objectKind: request.kind.kind,
    objectName: name,
    breakGlassRequested: requestedBy !== undefined,
    ...(requestedBy ? { breakGlassAnnotation: requestedBy } : {}),
    ...(reason !== undefined ? { breakGlassReason: reason } : {}),
    ...(nearMiss ? { breakGlassNearMiss: nearMiss } : {}),
    breakGlassSettings: context.breakGlass ?? DEFAULT_BREAK_GLASS_SETTINGS,
    ...(governing ? { breakGlassPolicies: governing } : {}),
    userName: request.userInfo.username,
    userGroups: request.userInfo.groups,
    noMatch: context.noMatch,
  };
}

// governingAll selects (purely, no I/O) the live and broken policies governing any image of the object, so
// that break-glass's allowedGroups is judged even for images an UPDATE leaves unchanged and does not judge.
function governingAll(
  facts: AdmissionFacts,
  snapshot: PolicySnapshot,
  labels: Parameters<typeof selectPolicies>[3],
): CompiledPolicy[] {
  const candidates = [...snapshot.policies, ...snapshot.broken.map((b) => b.policy)];
  const byId = new Map<string, CompiledPolicy>();
  for (const use of facts.images) {
    let image: SelectionSubject;
    try {
      image = selectionSubject(parseImageReference(use.image), false);
    } catch {
      continue; // an invalid reference is denied on its own, whatever break-glass says
    }
    for (const p of selectPolicies(candidates, image, facts.request.namespace, labels))
      if (!byId.has(p.id)) byId.set(p.id, p);
  }
  return [...byId.values()];
}
