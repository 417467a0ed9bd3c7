import { PatchStrategy, setHeaderOptions, type CustomObjectsApi } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { POLICY_API_GROUP, toPolicyStatus, type PolicyStatus } from '../policy';
import { apiStatusOf, describeApiError, isNotFound, withTimeout } from './errors';
import {
  POLICY_RESOURCES,
  POLICY_VERSION,
  type CompileOutcome,
  type PolicyKindName,
  type PolicyResource,
} from './policy-objects';
import { statusChanged, statusFingerprint } from './status-diff';

/**
 * After a failed write, or when another writer changed a policy's status since our last write (replicas that
 * disagree), we write it again at most this often: a bound on retries and on a tug of war.
 */
export const MIN_STATUS_WRITE_INTERVAL_MS = 5_000;
/** One status PATCH waits at most this long. */
export const STATUS_WRITE_TIMEOUT_MS = 5_000;

export type StatusApi = Pick<
  CustomObjectsApi,
  'patchClusterCustomObjectStatus' | 'patchNamespacedCustomObjectStatus'
>;

interface LastWrite {
  readonly at: number;
  /** The object version our desired status was computed from. */
  readonly resourceVersion: string | undefined;
  readonly fingerprint: string;
}

// keyOf identifies an object across renames of nothing: uid when known (a re-created policy is new).
function keyOf(obj: PolicyResource): string {
  const m = obj.metadata ?? {};
  return `${obj.kind ?? ''}/${m.namespace ?? ''}/${m.name ?? ''}/${m.uid ?? ''}`;
}

/**
 * Writes `status.conditions` (Ready), `status.summary` and `status.observedGeneration` through the status subresource with a
 * JSON merge patch, only when they would change. Failures are logged, never thrown: status is a report,
 * and admission keeps working from the compiled snapshot either way.
 */
export class StatusWriter {
  private readonly last = new Map<string, LastWrite>();

  constructor(
    private readonly api: StatusApi,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Brings every object's status in line with its compile outcome. Resolves with how long to wait before
   * calling again when a write was held back by MIN_STATUS_WRITE_INTERVAL_MS, else undefined.
   */
  async reconcile(
    items: readonly { readonly obj: PolicyResource; readonly outcome: CompileOutcome }[],
  ): Promise<number | undefined> {
    const now = this.now();
    const seen = new Set<string>();
    let retryIn: number | undefined;
    const writes: Promise<boolean>[] = [];
    for (const { obj, outcome } of items) {
      const key = keyOf(obj);
      seen.add(key);
      const desired = toPolicyStatus(
        obj.metadata?.generation ?? 0,
        outcome,
        new Date(now),
        obj.status,
        obj.spec,
      );
      if (!statusChanged(obj.status, desired)) continue;
      const fingerprint = statusFingerprint(desired);
      const rv = obj.metadata?.resourceVersion;
      const last = this.last.get(key);
      if (last && last.resourceVersion === rv && last.fingerprint === fingerprint) continue; // sent; event pending
      // Hold back only a retry after a failure, or a write over a status someone else changed since ours
      // (another replica that disagrees): a plain change (new generation, rotated Secret) goes out at once.
      const contested = last !== undefined && statusFingerprint(obj.status) !== last.fingerprint;
      if (last && contested && now - last.at < MIN_STATUS_WRITE_INTERVAL_MS) {
        const wait = MIN_STATUS_WRITE_INTERVAL_MS - (now - last.at);
        retryIn = Math.min(retryIn ?? wait, wait);
        continue;
      }
      this.last.set(key, { at: now, resourceVersion: rv, fingerprint });
      writes.push(
        this.write(obj, desired).then((ok) => {
          // A failed write must not look "sent": forget the fingerprint, keep the time (rate limit).
          if (!ok) this.last.set(key, { at: now, resourceVersion: rv, fingerprint: '' });
          return ok;
        }),
      );
    }
    for (const key of [...this.last.keys()]) if (!seen.has(key)) this.last.delete(key);
    const results = await Promise.all(writes);
    if (results.includes(false))
      retryIn = Math.min(retryIn ?? MIN_STATUS_WRITE_INTERVAL_MS, MIN_STATUS_WRITE_INTERVAL_MS);
    return retryIn;
  }

  // write sends one merge patch of the status subresource; never rejects. False: worth retrying.
  private async write(obj: PolicyResource, status: PolicyStatus): Promise<boolean> {
    const kind = obj.kind as PolicyKindName;
    const { plural, namespaced } = POLICY_RESOURCES[kind];
    const name = obj.metadata?.name ?? '';
    const namespace = obj.metadata?.namespace ?? '';
    const base = { group: POLICY_API_GROUP, version: POLICY_VERSION, plural, name, body: { status } };
    const options = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
    const id = namespaced ? `${kind}/${namespace}/${name}` : `${kind}/${name}`;
    try {
      const call = namespaced
        ? this.api.patchNamespacedCustomObjectStatus({ ...base, namespace }, options)
        : this.api.patchClusterCustomObjectStatus(base, options);
      await withTimeout(call, STATUS_WRITE_TIMEOUT_MS, `write status of ${id}`);
      const ready = status.conditions?.find((c) => c.type === 'Ready');
      this.logger.info({ policy: id, ready: ready?.status, reason: ready?.reason }, 'policy status written');
      return true;
    } catch (error) {
      if (isNotFound(error)) {
        this.logger.debug({ policy: id }, 'policy deleted before its status was written');
        return true;
      }
      const hint =
        apiStatusOf(error) === 403 ? ` (does the ServiceAccount have patch on ${plural}/status?)` : '';
      this.logger.warn(
        { code: 'KUBE_STATUS_WRITE_FAILED', policy: id, reason: describeApiError(error) },
        `could not write the status of ${id}${hint}`,
      );
      return false;
    }
  }
}
