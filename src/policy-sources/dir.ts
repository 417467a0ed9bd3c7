import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, watch } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { PolicySnapshot, PolicySource } from './snapshot';
import { ConfigError, describeUnknown } from '../errors';
import type { Metrics } from '../observability/metrics';
import {
  compilePolicies,
  configMapLookupFrom,
  MAX_POLICY_FILE_BYTES,
  parsePolicyDocuments,
  secretLookupFrom,
} from '../policy';
import type { ConfigMapDocument, SecretDocument } from '../policy/crd/documents';

/** At most this many files are read from a policy folder. */
export const MAX_POLICY_FILES = 512;
/** Changes to the folder are batched for this long before reloading. */
export const RELOAD_DEBOUNCE_MS = 300;

const POLICY_FILE = /\.(ya?ml|json)$/i;

// listPolicyFiles returns the policy files of a folder in a stable order, or a clear configuration error.
function listPolicyFiles(dir: string): string[] {
  let names: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new Error('not a folder');
    names = readdirSync(dir)
      .filter((n) => POLICY_FILE.test(n))
      .sort();
  } catch (error) {
    throw new ConfigError('CONFIG_POLICY_DIR_UNREADABLE', `--policy-dir ${dir}: ${describeUnknown(error)}`, {
      cause: error,
    });
  }
  if (names.length > MAX_POLICY_FILES) {
    throw new ConfigError(
      'CONFIG_POLICY_DIR_UNREADABLE',
      `--policy-dir ${dir}: more than ${MAX_POLICY_FILES} policy files`,
    );
  }
  return names.map((n) => join(dir, n));
}

// readPolicyFile reads one bounded file.
function readPolicyFile(file: string): string {
  const size = statSync(file).size;
  if (size > MAX_POLICY_FILE_BYTES) {
    throw new ConfigError(
      'CONFIG_POLICY_DIR_UNREADABLE',
      `${file}: larger than ${MAX_POLICY_FILE_BYTES} bytes`,
    );
  }
  return readFileSync(file, 'utf8');
}

/**
 * Loads a folder of policy YAML (and the Secrets and ConfigMaps they reference) into one snapshot.
 * A file that is not valid YAML is a configuration error: we cannot know what it would have governed.
 * Every load gets a new generation, so no verdict cached under an older version of a policy is reused.
 */
function loadSnapshot(dir: string, generation: number): { snapshot: PolicySnapshot; digest: string } {
  const objects: unknown[] = [];
  const secrets: SecretDocument[] = [];
  const configMaps: ConfigMapDocument[] = [];
  const hash = createHash('sha256');
  for (const file of listPolicyFiles(dir)) {
    const text = readPolicyFile(file);
    hash.update(file).update('\u0000').update(text).update('\u0000');
    const parsed = parsePolicyDocuments(text, file);
    const problem = parsed.errors[0];
    if (problem) {
      const where = `${problem.source}${problem.line === undefined ? '' : `:${problem.line}`}`;
      throw new ConfigError('CONFIG_POLICY_DIR_UNREADABLE', `${where}: ${problem.message} [${problem.code}]`);
    }
    secrets.push(...parsed.secrets);
    configMaps.push(...parsed.configMaps);
    objects.push(...parsed.policies.map((d) => d.object));
  }
  const withGeneration = objects.map((obj) => stampGeneration(obj, generation));
  const set = compilePolicies(withGeneration, {
    secrets: secretLookupFrom(secrets, 'default'),
    configMaps: configMapLookupFrom(configMaps, 'default'),
    defaultNamespace: 'default',
  });
  return { snapshot: { policies: set.policies, broken: set.broken }, digest: hash.digest('hex') };
}

// stampGeneration sets metadata.generation so that cache keys change with every reload.
function stampGeneration(obj: unknown, generation: number): unknown {
  if (typeof obj !== 'object' || obj === null) return obj;
  const o = obj as { metadata?: unknown };
  const metadata = typeof o.metadata === 'object' && o.metadata !== null ? o.metadata : {};
  return { ...o, metadata: { ...metadata, generation } };
}

/** Policies from `--policy-dir`: loaded at start (errors are fatal), reloaded on change (errors keep the old set). */
export class DirPolicySource implements PolicySource {
  private snapshot: PolicySnapshot;
  private digest: string;
  private generation = 1;

  private constructor(
    private readonly dir: string,
    private readonly logger: Logger,
    private readonly metrics: Metrics | undefined,
  ) {
    const first = loadSnapshot(dir, this.generation);
    this.snapshot = first.snapshot;
    this.digest = first.digest;
    this.report();
  }

  // load reads the folder once; throws ConfigError when it cannot be used.
  static load(dir: string, logger: Logger, metrics?: Metrics): DirPolicySource {
    return new DirPolicySource(dir, logger, metrics);
  }

  current(): PolicySnapshot {
    return this.snapshot;
  }

  ready(): boolean {
    return true;
  }

  // reload re-reads the folder; an unusable folder keeps the previous snapshot and logs why.
  reload(): void {
    try {
      const next = loadSnapshot(this.dir, this.generation + 1);
      if (next.digest === this.digest) return;
      this.generation += 1;
      this.snapshot = next.snapshot;
      this.digest = next.digest;
      this.report();
    } catch (error) {
      this.logger.error(
        { err: error, dir: this.dir },
        'policy folder reload failed; keeping the previous policies',
      );
    }
  }

  // watch reloads on changes to the folder; returns a function that stops watching.
  watch(): () => void {
    let timer: NodeJS.Timeout | undefined;
    const watcher = watch(this.dir, { persistent: false }, () => {
      clearTimeout(timer);
      timer = setTimeout(() => this.reload(), RELOAD_DEBOUNCE_MS);
    });
    return () => {
      clearTimeout(timer);
      watcher.close();
    };
  }

  // report logs and counts what was loaded, naming every broken policy.
  private report(): void {
    const { policies, broken } = this.snapshot;
    this.metrics?.policies.set({ ready: 'true' }, policies.length);
    this.metrics?.policies.set({ ready: 'false' }, broken.length);
    this.logger.info({ dir: this.dir, ready: policies.length, broken: broken.length }, 'policies loaded');
    for (const b of broken)
      this.logger.error({ policy: b.policy.id, code: b.code, reason: b.reason }, 'policy not ready');
  }
}
