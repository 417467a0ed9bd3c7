import type { V1Secret } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { TlsError } from './errors';
import { writeServingFiles, type ServingFiles } from './files';
import { bundleIds, inspectMaterial, sameIds } from './inspect';
import { X509_ISSUER, type CertificateIssuer } from './issue';
import {
  patchWebhookBundles,
  readTlsSecret,
  readWebhookBundles,
  replaceTlsSecret,
  SecretConflict,
  type TlsKubeClients,
  type WebhookBundles,
  type WebhookConfigRef,
} from './kube-api';
import { MAX_STEPS_PER_TICK, TLS_ROTATION_INTERVAL_MS } from './limits';
import { DEFAULT_ROTATION_DURATIONS, planRotation } from './plan';
import type { RotationAction, RotationActionKind, RotationDurations, SecretFacts } from './rotation.types';
import { toTlsMaterial, withTlsMaterial, type TlsMaterial } from './secret-layout';
import { nextMaterial } from './transitions';

/** How the rotator is wired: what it rotates, where it writes, and the I/O it uses. */
export interface TlsRotatorOptions {
  readonly clients: TlsKubeClients;
  readonly secret: { readonly namespace: string; readonly name: string };
  /** The configurations whose every webhook gets the Secret's `ca.crt` as caBundle. */
  readonly webhooks: readonly WebhookConfigRef[];
  /** DNS names of the serving certificate (the first is also its CN). */
  readonly dnsNames: readonly string[];
  readonly files: ServingFiles;
  readonly logger: Logger;
  readonly durations?: RotationDurations;
  readonly now?: () => number;
  readonly issuer?: CertificateIssuer;
  readonly intervalMs?: number;
}

/** What one tick did. */
export interface TickReport {
  /** The steps taken, in order (a step lost to another replica's write is not listed). */
  readonly steps: readonly RotationActionKind[];
  /** The `keep` that ended the tick, with when the next step is due. */
  readonly final: RotationAction;
  /** The serving files were (re)written from the Secret. */
  readonly filesWritten: boolean;
}

/**
 * Keeps the self-managed webhook TLS current from every replica: reads the Secret, serves its pair, and
 * applies planRotation's steps. Replicas race through the Secret's resourceVersion: one update wins, the
 * others re-read and find the step done.
 */
export class TlsRotator {
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly durations: RotationDurations;
  private readonly issuer: CertificateIssuer;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = false;

  constructor(private readonly options: TlsRotatorOptions) {
    this.log = options.logger.child({ component: 'tls-rotator' });
    this.now = options.now ?? Date.now;
    this.durations = options.durations ?? DEFAULT_ROTATION_DURATIONS;
    this.issuer = options.issuer ?? X509_ISSUER;
  }

  /** Reads, serves and rotates until nothing is due. Throws TlsError (logged by the timer loop). */
  async tick(): Promise<TickReport> {
    const steps: RotationActionKind[] = [];
    let filesWritten = false;
    // The last step taken and the Secret version it left: the same step on the same version had no effect.
    let last: { kind: RotationActionKind; resourceVersion: string | undefined } | undefined;
    for (let round = 0; round < MAX_STEPS_PER_TICK; round++) {
      const { namespace, name } = this.options.secret;
      const secret = await readTlsSecret(this.options.clients, namespace, name);
      const material = toTlsMaterial(secret);
      const facts = inspectMaterial(material, this.options.dnsNames);
      const configs = await Promise.all(
        this.options.webhooks.map((ref) => readWebhookBundles(this.options.clients, ref)),
      );
      filesWritten = (await this.serve(material, facts, configs)) || filesWritten;
      const published =
        facts !== undefined &&
        trustsExactly(
          configs,
          facts.cas.map((c) => c.id),
        );
      const action = planRotation(this.now(), { secret: facts, published }, this.durations);
      if (action.kind === 'keep') return { steps, final: action, filesWritten };
      if (last?.kind === action.kind && last.resourceVersion === secret.metadata?.resourceVersion) {
        // The same step again right after it succeeded: it cannot reach its goal; looping would not either.
        throw new TlsError(
          'TLS_STEP_NO_EFFECT',
          `TLS rotation step ${action.kind} on Secret ${namespace}/${name} had no effect (${action.reason}); ` +
            'check the Secret and the webhook configurations for edits by other tools',
          { details: { step: action.kind } },
        );
      }
      const resourceVersion = await this.apply(action, secret, material, configs);
      if (resourceVersion === undefined) continue;
      steps.push(action.kind);
      last = { kind: action.kind, resourceVersion };
    }
    throw new TlsError(
      'TLS_ROTATION_CONTENDED',
      `TLS rotation of Secret ${this.options.secret.namespace}/${this.options.secret.name} did not settle ` +
        `within ${MAX_STEPS_PER_TICK} steps (other writers keep changing it); retrying on the next tick`,
    );
  }

  /** Runs tick() every intervalMs until stop(); failures are logged with their code and retried. */
  start(): void {
    const interval = this.options.intervalMs ?? TLS_ROTATION_INTERVAL_MS;
    const loop = (): void => {
      if (this.stopped) return;
      this.running = this.tick()
        .catch((error: unknown) => {
          const code = error instanceof TlsError ? error.code : undefined;
          this.log.error({ err: error, code }, 'TLS rotation failed; the current certificate stays in use');
        })
        .finally(() => {
          if (this.stopped) return;
          this.timer = setTimeout(loop, interval);
          this.timer.unref();
        });
    };
    this.timer = setTimeout(loop, interval);
    this.timer.unref();
  }

  /** Stops the timer and waits for a tick in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  // serve writes the Secret's pair to the served files when it is valid and every webhook trusts its CA.
  private async serve(
    material: TlsMaterial,
    facts: SecretFacts | undefined,
    configs: readonly WebhookBundles[],
  ): Promise<boolean> {
    const serving = facts?.serving;
    if (material.cert === undefined || material.key === undefined || serving === undefined) return false;
    const issuer = serving.issuerId;
    if (!serving.keyMatches || issuer === undefined || this.now() >= serving.notAfter) return false;
    if (!configs.every((c) => c.webhooks.every((w) => bundleIds(w.caBundle).has(issuer)))) return false;
    const written = await writeServingFiles(this.options.files, { cert: material.cert, key: material.key });
    if (written) this.log.info({ certPath: this.options.files.certPath }, 'serving certificate written');
    return written;
  }

  // apply performs one step and returns the Secret's resourceVersion after it; undefined when another
  // replica changed the Secret first (re-read and re-plan).
  private async apply(
    action: RotationAction,
    secret: V1Secret,
    material: TlsMaterial,
    configs: readonly WebhookBundles[],
  ): Promise<string | undefined> {
    const target = `${this.options.secret.namespace}/${this.options.secret.name}`;
    this.log.info({ step: action.kind, reason: action.reason, secret: target }, 'TLS rotation step');
    if (action.kind === 'reissue-all') {
      this.log.warn({ secret: target }, 'issuing a new CA at once: calls fail until every API server has it');
    }
    if (action.kind === 'publish-bundle') {
      const bundle = material.cas.join('');
      await Promise.all(
        this.options.webhooks.map((ref, i) =>
          patchWebhookBundles(this.options.clients, ref, configs[i] as WebhookBundles, bundle),
        ),
      );
      return secret.metadata?.resourceVersion;
    }
    const next = await nextMaterial(action, material, {
      now: this.now(),
      durations: this.durations,
      dnsNames: this.options.dnsNames,
      issuer: this.issuer,
    });
    try {
      const written = await replaceTlsSecret(this.options.clients, withTlsMaterial(secret, next));
      return written.metadata?.resourceVersion;
    } catch (error) {
      if (!(error instanceof SecretConflict)) throw error;
      this.log.debug({ step: action.kind, secret: target }, 'another replica updated the Secret first');
      return undefined;
    }
  }
}

// trustsExactly says whether every webhook's caBundle holds exactly the CAs with these ids.
function trustsExactly(configs: readonly WebhookBundles[], ids: readonly string[]): boolean {
  const wanted = new Set(ids);
  return configs.every((c) => c.webhooks.every((w) => sameIds(bundleIds(w.caBundle), wanted)));
}
