import type { Server } from 'node:https';
import { createLogger, flushLogger } from '../observability/logger';
import { Metrics } from '../observability/metrics';
import { recordCertificateExpiry } from '../observability/certificate-expiry';
import { buildApp } from '../server/app';
import { Drain } from '../server/drain';
import { buildMetricsApp } from '../server/metrics-app';
import { readTlsFiles, watchTls } from '../tls/serving-files';
import { toBreakGlassSettings, type BreakGlassFlags } from '../app/break-glass-options';
import { ConfigError } from './errors';
import { toListen, toRegistryFlags, toTagTtlMs } from '../app/options';
import { createRuntime } from '../app/runtime';
import { guardUntilSynced, openServeSources } from '../app/serve-sources';
import { toSelfManagedTls } from '../app/tls-options';
import { toTufMirror, type TufFlags } from '../app/tuf-options';
import { waitForShutdown } from '../app/shutdown';
import { toDrainDelayMs } from '../app/shutdown-options';
import { toSharedCacheSettings, type SharedCacheFlags } from '../app/shared-cache-options';

export interface ServeFlags extends BreakGlassFlags, TufFlags, SharedCacheFlags {
  listen?: string;
  tlsCert?: string;
  tlsKey?: string;
  plainHttp?: boolean;
  policyDir?: string;
  namespaceLabels?: string;
  insecureRegistry?: string[];
  registryCa?: string;
  noMatch?: string;
  dockerConfig?: string[];
  kubeconfig?: string;
  logLevel?: string;
  tlsSelfManagedSecret?: string;
  tlsValidatingWebhook?: string;
  tlsMutatingWebhook?: string;
  tlsDnsName?: string[];
  tlsCaOverlap?: string;
  tagTtl?: string;
  drainDelay?: string;
  metricsListen?: string;
}

// serve runs the webhook until SIGTERM/SIGINT, then closes gracefully. Resolves with the exit code.
export async function serve(flags: ServeFlags): Promise<number> {
  const listen = toListen(flags.listen, flags.plainHttp === true);
  const registryFlags = toRegistryFlags(flags);
  const breakGlass = toBreakGlassSettings(flags);
  const selfManagedTls = toSelfManagedTls(flags);
  const tuf = toTufMirror(flags);
  const tagTtlMs = toTagTtlMs(flags.tagTtl);
  const drainDelayMs = toDrainDelayMs(flags.drainDelay);
  // Plain HTTP on any address: it serves /metrics only, which holds counts, never secrets.
  const metricsListen = flags.metricsListen === undefined ? undefined : toListen(flags.metricsListen, false);
  const sharedCache = toSharedCacheSettings(flags);
  if (!flags.plainHttp && (!flags.tlsCert || !flags.tlsKey)) {
    throw new ConfigError(
      'CONFIG_TLS_INVALID',
      'serve needs --tls-cert and --tls-key (or --plain-http on loopback for local tests)',
    );
  }
  const logger = createLogger({ buffered: true, ...(flags.logLevel ? { level: flags.logLevel } : {}) });
  const metrics = new Metrics({ processMetrics: true });
  const drain = new Drain();
  const preset =
    flags.plainHttp || selfManagedTls
      ? undefined
      : readTlsFiles(flags.tlsCert as string, flags.tlsKey as string);
  const sources = openServeSources(flags, logger, metrics);
  // Self-managed TLS writes the serving files first (cluster mode), then rotates them on its timer.
  const managed = selfManagedTls
    ? await loadServeTls()
        .startSelfManagedTls(selfManagedTls, sources.kubeConfig, logger)
        .catch(async (error) => {
          await sources.stop();
          throw error;
        })
    : undefined;
  const rotator = managed?.rotator;
  const tls = managed?.tls ?? preset;
  if (tls) recordCertificateExpiry(metrics, tls.cert);
  const { policies } = sources;
  const runtime = createRuntime({
    flags: registryFlags,
    policies,
    logger,
    metrics,
    breakGlass,
    tagTtlMs,
    ...(tuf ? { tuf } : {}),
    ...(sharedCache ? { sharedCache } : {}),
    ...(sources.pullSecrets ? { pullSecrets: sources.pullSecrets } : {}),
    ...(sources.namespaceLabels ? { namespaceLabels: sources.namespaceLabels } : {}),
  });
  const app = buildApp({
    logger,
    metrics,
    policies,
    evaluate: guardUntilSynced(policies, runtime.evaluate),
    pin: runtime.pin,
    ...(sources.onDecision ? { onDecision: sources.onDecision } : {}),
    ...(tls ? { https: tls } : {}),
    drain,
  });
  const metricsApp = metricsListen ? buildMetricsApp({ logger, metrics }) : undefined;
  try {
    await app.listen({ host: listen.host, port: listen.port });
    if (metricsApp && metricsListen)
      await metricsApp.listen({ host: metricsListen.host, port: metricsListen.port });
  } catch (error) {
    await Promise.all([app.close(), sources.stop(), rotator?.stop(), runtime.sharedCache?.close()]);
    throw error;
  }
  runtime.publicGood.start();
  const stopWatching = tls
    ? watchTls(app.server as Server, flags.tlsCert as string, flags.tlsKey as string, logger, (files) =>
        recordCertificateExpiry(metrics, files.cert),
      )
    : () => {};
  logger.info(
    {
      address: app.addresses(),
      metricsAddress: metricsApp?.addresses() ?? 'none (GET /metrics on the webhook port)',
      tls: Boolean(tls),
      policies: sources.mode,
      tufMirror: tuf?.url ?? 'none (embedded public-good root)',
      sharedCache: sharedCache === undefined ? 'none' : 'valkey',
    },
    'portcullis webhook listening',
  );
  await waitForShutdown({
    drain,
    drainDelayMs,
    logger,
    closeServers: () => {
      stopWatching();
      return Promise.all([app.close(), metricsApp?.close()]);
    },
    stopRest: () =>
      Promise.all([sources.stop(), rotator?.stop(), runtime.publicGood.stop(), runtime.sharedCache?.close()]),
  });
  await flushLogger(logger);
  return 0;
}

// loadServeTls requires self-managed TLS on demand: it brings in @kubernetes/client-node (see serve-sources.ts).
function loadServeTls(): typeof import('../app/serve-tls') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the deliberate lazy load above
  return require('../app/serve-tls') as typeof import('../app/serve-tls');
}
