import type { Server } from 'node:https';
import { createLogger } from '../observability/logger';
import { Metrics } from '../observability/metrics';
import { buildApp } from '../server/app';
import { SHUTDOWN_GRACE_MS } from '../server/limits';
import { readTlsFiles, watchTls } from '../server/tls';
import { DirPolicySource } from '../sources/dir-source';
import { ConfigError } from './errors';
import { toListen, toRegistryFlags } from './options';
import { createRuntime } from './runtime';

export interface ServeFlags {
  listen?: string;
  tlsCert?: string;
  tlsKey?: string;
  plainHttp?: boolean;
  policyDir?: string;
  insecureRegistry?: string[];
  registryCa?: string;
  noMatch?: string;
  dockerConfig?: string[];
  kubeconfig?: string;
  logLevel?: string;
}

// serve runs the webhook until SIGTERM/SIGINT, then closes gracefully. Resolves with the exit code.
export async function serve(flags: ServeFlags): Promise<number> {
  const listen = toListen(flags.listen, flags.plainHttp === true);
  const registryFlags = toRegistryFlags(flags);
  if (!flags.plainHttp && (!flags.tlsCert || !flags.tlsKey)) {
    throw new ConfigError(
      'CONFIG_TLS_INVALID',
      'serve needs --tls-cert and --tls-key (or --plain-http on loopback for local tests)',
    );
  }
  if (!flags.policyDir) {
    throw new ConfigError(
      'CONFIG_CLUSTER_MODE_UNAVAILABLE',
      'policies from the cluster (informers) are not available in this build yet; pass --policy-dir DIR',
    );
  }
  const logger = createLogger({ ...(flags.logLevel ? { level: flags.logLevel } : {}) });
  const metrics = new Metrics();
  const policies = DirPolicySource.load(flags.policyDir, logger, metrics);
  const runtime = createRuntime({ flags: registryFlags, policies, logger, metrics });
  const tls = flags.plainHttp ? undefined : readTlsFiles(flags.tlsCert as string, flags.tlsKey as string);
  const app = buildApp({
    logger,
    metrics,
    policies,
    evaluate: runtime.evaluate,
    ...(tls ? { https: tls } : {}),
  });
  await app.listen({ host: listen.host, port: listen.port });
  const stopWatching = tls
    ? watchTls(app.server as Server, flags.tlsCert as string, flags.tlsKey as string, logger)
    : () => {};
  const stopPolicies = policies.watch();
  logger.info({ address: app.addresses(), tls: Boolean(tls) }, 'portcullis webhook listening');
  await new Promise<void>((resolve) => {
    const stop = (signal: string): void => {
      logger.info({ signal }, 'shutting down');
      stopWatching();
      stopPolicies();
      const force = setTimeout(() => resolve(), SHUTDOWN_GRACE_MS);
      force.unref();
      void app.close().then(() => resolve());
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  return 0;
}
