import type { Server } from 'node:https';
import { createLogger } from '../observability/logger';
import { Metrics } from '../observability/metrics';
import { buildApp } from '../server/app';
import { SHUTDOWN_GRACE_MS } from '../server/limits';
import { readTlsFiles, watchTls } from '../tls/serving-files';
import { toBreakGlassSettings, type BreakGlassFlags } from '../app/break-glass-options';
import { ConfigError } from './errors';
import { toListen, toRegistryFlags } from '../app/options';
import { createRuntime } from '../app/runtime';
import { guardUntilSynced, openServeSources } from '../app/serve-sources';
import { startSelfManagedTls } from '../app/serve-tls';
import { toSelfManagedTls } from '../app/tls-options';
import { toTufMirror, type TufFlags } from '../app/tuf-options';
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
}

// serve runs the webhook until SIGTERM/SIGINT, then closes gracefully. Resolves with the exit code.
export async function serve(flags: ServeFlags): Promise<number> {
  const listen = toListen(flags.listen, flags.plainHttp === true);
  const registryFlags = toRegistryFlags(flags);
  const breakGlass = toBreakGlassSettings(flags);
  const selfManagedTls = toSelfManagedTls(flags);
  const tuf = toTufMirror(flags);
  const sharedCache = toSharedCacheSettings(flags);
  if (!flags.plainHttp && (!flags.tlsCert || !flags.tlsKey)) {
    throw new ConfigError(
      'CONFIG_TLS_INVALID',
      'serve needs --tls-cert and --tls-key (or --plain-http on loopback for local tests)',
    );
  }
  const logger = createLogger({ ...(flags.logLevel ? { level: flags.logLevel } : {}) });
  const metrics = new Metrics();
  const preset =
    flags.plainHttp || selfManagedTls
      ? undefined
      : readTlsFiles(flags.tlsCert as string, flags.tlsKey as string);
  const sources = openServeSources(flags, logger, metrics);
  // Self-managed TLS writes the serving files first (cluster mode), then rotates them on its timer.
  const managed = selfManagedTls
    ? await startSelfManagedTls(selfManagedTls, sources.kubeConfig, logger).catch(async (error) => {
        await sources.stop();
        throw error;
      })
    : undefined;
  const rotator = managed?.rotator;
  const tls = managed?.tls ?? preset;
  const { policies } = sources;
  const runtime = createRuntime({
    flags: registryFlags,
    policies,
    logger,
    metrics,
    breakGlass,
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
  });
  try {
    await app.listen({ host: listen.host, port: listen.port });
  } catch (error) {
    await Promise.all([sources.stop(), rotator?.stop(), runtime.sharedCache?.close()]);
    throw error;
  }
  runtime.publicGood.start();
  const stopWatching = tls
    ? watchTls(app.server as Server, flags.tlsCert as string, flags.tlsKey as string, logger)
    : () => {};
  logger.info(
    {
      address: app.addresses(),
      tls: Boolean(tls),
      policies: sources.mode,
      tufMirror: tuf?.url ?? 'none (embedded public-good root)',
      sharedCache: sharedCache === undefined ? 'none' : 'valkey',
    },
    'portcullis webhook listening',
  );
  await new Promise<void>((resolve) => {
    const stop = (signal: string): void => {
      logger.info({ signal }, 'shutting down');
      stopWatching();
      const force = setTimeout(() => resolve(), SHUTDOWN_GRACE_MS);
      force.unref();
      void Promise.all([
        app.close(),
        sources.stop(),
        rotator?.stop(),
        runtime.publicGood.stop(),
        runtime.sharedCache?.close(),
      ]).then(() => resolve());
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  return 0;
}
