import { readFile } from 'node:fs/promises';

/** How long waitForAuditEvent polls by default. The log backend writes each event as the request completes. */
export const AUDIT_WAIT_MS = 10_000;

/** The fields of a kube-apiserver audit event (audit.k8s.io/v1 Event, one JSON object per line) tests look at. */
export interface AuditEvent {
  readonly level?: string;
  readonly auditID?: string;
  readonly stage?: string;
  readonly verb?: string;
  readonly requestURI?: string;
  readonly user?: { readonly username?: string; readonly groups?: readonly string[] };
  readonly objectRef?: {
    readonly resource?: string;
    readonly subresource?: string;
    readonly namespace?: string;
    readonly name?: string;
    readonly apiGroup?: string;
  };
  readonly responseStatus?: { readonly code?: number };
  /** Includes admission webhooks' auditAnnotations, as `<webhook name>/<key>`. */
  readonly annotations?: Readonly<Record<string, string>>;
}

/** Reads every event in the audit log (an absent file has none yet). */
export async function readAuditEvents(file: string): Promise<AuditEvent[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as AuditEvent);
}

/** Polls the audit log until an event matches; throws after `timeoutMs`. */
export async function waitForAuditEvent(
  file: string,
  match: (e: AuditEvent) => boolean,
  timeoutMs = AUDIT_WAIT_MS,
): Promise<AuditEvent> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const found = (await readAuditEvents(file)).find(match);
    if (found !== undefined) return found;
    if (Date.now() > until) throw new Error(`no matching audit event in ${file} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Matches the ResponseComplete event of a `create` of `resource` `namespace/name` (namespace '' for cluster-scoped). */
export function isCreateOf(resource: string, namespace: string, name: string): (e: AuditEvent) => boolean {
  return (e) =>
    e.verb === 'create' &&
    e.stage === 'ResponseComplete' &&
    e.objectRef?.resource === resource &&
    (e.objectRef.namespace ?? '') === namespace &&
    e.objectRef.name === name;
}
