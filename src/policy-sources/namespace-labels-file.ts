import { statSync, unwatchFile, watchFile } from 'node:fs';
import type { Logger } from 'pino';
import { parseAllDocuments } from 'yaml';
import { ConfigError, describeUnknown } from '../errors';
import { MAX_YAML_ALIASES } from '../policy/crd/documents';
import { isLabelKey, isLabelValue } from '../policy/decide/label-selector';
import { isNamespaceName, NAMESPACE_NAME_LABEL } from '../policy/decide/namespace-labels';
import { isRecord } from '../guards';
import { quoteInput } from '../reference/errors';
import { readFlagFile } from './flag-file';

/** Largest `--namespace-labels` file read; a cluster's worth of namespace labels is far smaller. */
export const MAX_NAMESPACE_LABELS_FILE_BYTES = 1024 * 1024;
/** How often `serve` checks the file for changes (by stat, so a replaced file or a ConfigMap swap is seen). */
export const NAMESPACE_LABELS_POLL_MS = 2_000;
/** At most this many problems are listed in one error; the rest are counted. */
export const MAX_REPORTED_PROBLEMS = 20;

const FLAG = '--namespace-labels';

/** Namespace name → every label of that namespace. A namespace that is not a key has unknown labels. */
export type NamespaceLabelMap = ReadonlyMap<string, Readonly<Record<string, string>>>;

// invalid is the one error of a file whose content cannot be used.
function invalid(file: string, problems: readonly string[]): ConfigError {
  const more = problems.length > MAX_REPORTED_PROBLEMS;
  const listed = problems.slice(0, MAX_REPORTED_PROBLEMS).join('; ');
  const tail = more ? `; and ${problems.length - MAX_REPORTED_PROBLEMS} more` : '';
  return new ConfigError('CONFIG_NAMESPACE_LABELS_INVALID', `${FLAG} ${file}: ${listed}${tail}`);
}

// parseYaml reads the file's single YAML (or JSON) document; null when it is empty.
function parseYaml(text: string, file: string): unknown {
  const parsed = parseAllDocuments(text);
  const docs = Array.isArray(parsed) ? parsed : [parsed];
  if (docs.length > 1) throw invalid(file, [`holds ${docs.length} documents; write one YAML document`]);
  const doc = docs[0];
  if (doc === undefined) return null;
  const first = doc.errors[0];
  if (first) {
    const line = first.linePos?.[0]?.line;
    const where = line === undefined ? '' : ` (line ${line})`;
    throw invalid(file, [`not valid YAML${where}: ${first.message.split('\n')[0] ?? first.code}`]);
  }
  try {
    return doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (error) {
    throw invalid(file, [`not valid YAML: ${describeUnknown(error)}`]);
  }
}

// labelProblems checks one namespace's labels against Kubernetes' syntax and the fixed name label.
function labelProblems(namespace: string, labels: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const at = `namespace ${quoteInput(namespace)}`;
  for (const [key, value] of Object.entries(labels)) {
    const label = `${at}, label ${quoteInput(key)}`;
    if (!isLabelKey(key)) problems.push(`${at}: ${quoteInput(key)} is not a valid label key`);
    else if (typeof value !== 'string')
      problems.push(`${label}: the value must be a string (quote it: "${String(value)}")`);
    else if (!isLabelValue(value)) problems.push(`${label}: ${quoteInput(value)} is not a valid label value`);
    else if (key === NAMESPACE_NAME_LABEL && value !== namespace)
      problems.push(
        `${label}: ${quoteInput(value)} contradicts the namespace's name; the API server always sets it to ` +
          `${quoteInput(namespace)} (correct or remove it)`,
      );
  }
  return problems;
}

/**
 * Parses and validates a `--namespace-labels` file: a YAML map of namespace name → label map (an empty
 * entry means the namespace has no labels). Throws one ConfigError (CONFIG_NAMESPACE_LABELS_INVALID) that
 * lists every problem with its namespace and label, so that labels are never guessed from a broken file.
 */
export function parseNamespaceLabels(text: string, file: string): NamespaceLabelMap {
  const value = parseYaml(text, file);
  if (value === null || value === undefined) return new Map();
  if (!isRecord(value)) throw invalid(file, ['must map namespace names to label maps']);
  const problems: string[] = [];
  const out = new Map<string, Readonly<Record<string, string>>>();
  for (const [namespace, labels] of Object.entries(value)) {
    if (!isNamespaceName(namespace)) {
      problems.push(`${quoteInput(namespace)} is not a valid namespace name (a DNS-1123 label)`);
      continue;
    }
    const map = labels ?? {};
    if (!isRecord(map)) {
      problems.push(`namespace ${quoteInput(namespace)}: must be a map of label keys to values`);
      continue;
    }
    const found = labelProblems(namespace, map);
    problems.push(...found);
    if (found.length === 0) out.set(namespace, Object.freeze({ ...(map as Record<string, string>) }));
  }
  if (problems.length > 0) throw invalid(file, problems);
  return out;
}

/** Reads and parses a `--namespace-labels` file, bounded in size. */
export function readNamespaceLabelsFile(file: string): NamespaceLabelMap {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    return parseNamespaceLabels(readFlagFile(FLAG, file), file); // readFlagFile names the I/O error
  }
  if (size > MAX_NAMESPACE_LABELS_FILE_BYTES) {
    throw invalid(file, [`larger than ${MAX_NAMESPACE_LABELS_FILE_BYTES} bytes`]);
  }
  const text = readFlagFile(FLAG, file);
  if (Buffer.byteLength(text) > MAX_NAMESPACE_LABELS_FILE_BYTES) {
    throw invalid(file, [`larger than ${MAX_NAMESPACE_LABELS_FILE_BYTES} bytes`]);
  }
  return parseNamespaceLabels(text, file);
}

/**
 * Namespace labels from `--namespace-labels FILE`, for running without a cluster (serve --policy-dir, verify,
 * review). Loaded at start (errors are fatal); `serve` reloads it on change, and a file that became unusable
 * keeps the previous labels and is logged with its code.
 */
export class NamespaceLabelsFile {
  private constructor(
    private readonly file: string,
    private readonly logger: Logger,
    private labels: NamespaceLabelMap,
  ) {}

  // load reads the file once; throws ConfigError when it cannot be used.
  static load(file: string, logger: Logger): NamespaceLabelsFile {
    const source = new NamespaceLabelsFile(file, logger, readNamespaceLabelsFile(file));
    logger.info({ file, namespaces: source.labels.size }, 'namespace labels loaded');
    return source;
  }

  /** The labels of `namespace`, or undefined when the file has no entry for it (only its name is known). */
  labelsOf(namespace: string): Readonly<Record<string, string>> | undefined {
    return this.labels.get(namespace);
  }

  // reload re-reads the file; an unusable file keeps the previous labels and logs why.
  reload(): void {
    try {
      this.labels = readNamespaceLabelsFile(this.file);
      this.logger.info({ file: this.file, namespaces: this.labels.size }, 'namespace labels reloaded');
    } catch (error) {
      this.logger.error(
        { err: error, file: this.file },
        'namespace labels reload failed; keeping the previous labels',
      );
    }
  }

  // watch reloads when the file changes; returns a function that stops watching.
  watch(): () => void {
    const onChange = (): void => this.reload();
    watchFile(this.file, { interval: NAMESPACE_LABELS_POLL_MS, persistent: false }, onChange);
    return () => unwatchFile(this.file, onChange);
  }
}
