import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { readTlsFiles, type TlsFiles } from '../tls/serving-files';
import { createTlsKubeClients, DEFAULT_ROTATION_DURATIONS, TlsRotator } from '../tls';
import { ConfigError } from '../errors';
import type { SelfManagedTls } from './tls-options';

/**
 * Self-managed TLS for `serve`: runs the rotator once, so the serving files exist before the server reads
 * them, then keeps it running on its timer. A first tick that fails stops the start (the pod restarts).
 */
export async function startSelfManagedTls(
  settings: SelfManagedTls,
  kubeConfig: KubeConfig | undefined,
  logger: Logger,
): Promise<{ rotator: TlsRotator; tls: TlsFiles }> {
  if (kubeConfig === undefined) {
    throw new ConfigError(
      'CONFIG_INVALID_FLAG',
      '--tls-self-managed-secret needs cluster mode (no --policy-dir)',
    );
  }
  const rotator = new TlsRotator({
    clients: createTlsKubeClients(kubeConfig),
    secret: settings.secret,
    webhooks: settings.webhooks,
    dnsNames: settings.dnsNames,
    files: { certPath: settings.certPath, keyPath: settings.keyPath },
    logger,
    durations: { ...DEFAULT_ROTATION_DURATIONS, overlapMs: settings.overlapMs },
  });
  const report = await rotator.tick();
  const tls = readTlsFiles(settings.certPath, settings.keyPath);
  logger.info(
    {
      steps: report.steps,
      next: report.final.reason,
      secret: `${settings.secret.namespace}/${settings.secret.name}`,
    },
    'self-managed TLS ready',
  );
  rotator.start();
  return { rotator, tls };
}
