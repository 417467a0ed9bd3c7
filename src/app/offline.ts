import { toAdmissionFacts } from '../admission';
import type { AdmissionRequestFacts } from '../admission/admission.types';
import type { RequestEvaluation } from '../engine/evaluate-request';
import { silentLogger, createLogger } from '../observability/logger';
import { DirPolicySource } from '../policy-sources/dir';
import { NamespaceLabelsFile } from '../policy-sources/namespace-labels-file';
import { ConfigError } from '../errors';
import { toRegistryFlags } from './options';
import { createRuntime } from './runtime';
import { toTufMirror, type TufFlags } from './tuf-options';

/** Flags shared by `verify` and `review`. */
export interface OfflineFlags extends Omit<TufFlags, 'tufRefreshInterval'> {
  policyDir?: string;
  /** --namespace-labels FILE: labels of namespaces, for ClusterImagePolicy namespaceSelectors. */
  namespaceLabels?: string;
  insecureRegistry?: string[];
  registryCa?: string;
  noMatch?: string;
  dockerConfig?: string[];
  timeout?: string;
  verbose?: boolean;
}

/** Default time budget for one CLI evaluation; CI pipelines are less hurried than the API server. */
export const DEFAULT_CLI_TIMEOUT_SECONDS = 30;
/** Longest `--timeout` accepted: a CLI run that needs more is stuck, not slow. */
export const MAX_CLI_TIMEOUT_SECONDS = 600;

// toTimeoutMs validates --timeout SECONDS.
function toTimeoutMs(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_CLI_TIMEOUT_SECONDS * 1000;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > MAX_CLI_TIMEOUT_SECONDS) {
    throw new ConfigError(
      'CONFIG_INVALID_FLAG',
      `--timeout expects seconds between 1 and ${MAX_CLI_TIMEOUT_SECONDS}, not "${raw}"`,
    );
  }
  return seconds * 1000;
}

/** An evaluator for CLI commands: policies (and namespace labels) from files, real registries, no server. */
export function createOfflineEvaluator(
  flags: OfflineFlags,
): (request: AdmissionRequestFacts) => Promise<RequestEvaluation> {
  if (!flags.policyDir) throw new ConfigError('CONFIG_INVALID_FLAG', '--policy-dir DIR is required');
  const registryFlags = toRegistryFlags(flags);
  const timeoutMs = toTimeoutMs(flags.timeout);
  const tuf = toTufMirror(flags);
  const logger = flags.verbose ? createLogger({ level: 'debug' }) : silentLogger();
  const policies = DirPolicySource.load(flags.policyDir, logger);
  // Without the file (or an entry for the namespace) only the name label is known (docs/policy.md).
  const labels =
    flags.namespaceLabels === undefined ? undefined : NamespaceLabelsFile.load(flags.namespaceLabels, logger);
  const runtime = createRuntime({
    flags: registryFlags,
    policies,
    logger,
    ...(tuf ? { tuf } : {}),
    ...(labels ? { namespaceLabels: (namespace: string) => labels.labelsOf(namespace) } : {}),
  });
  // With --tuf-mirror the public-good root is refreshed once, before the first judgement; a failure keeps the
  // embedded root (logged with --verbose).
  const refreshed = tuf ? runtime.publicGood.refresh() : undefined;
  // Async, so that a request whose object cannot be read rejects like any other evaluation failure.
  return async (request) => {
    await refreshed;
    return runtime.evaluate(toAdmissionFacts(request), Date.now() + timeoutMs, { outsideCluster: true });
  };
}
