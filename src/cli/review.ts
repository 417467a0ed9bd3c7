import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { toAdmissionReview, toReviewRequests } from '../admission';
import { MAX_YAML_ALIASES } from '../policy/crd/documents';
import { ConfigError, EXIT_ALLOWED, EXIT_DENIED } from './errors';
import { createOfflineEvaluator, type OfflineFlags } from '../app/offline';

export interface ReviewFlags extends OfflineFlags {
  file?: string;
  output?: string;
}

/**
 * Largest manifest file `review -f` reads; this bounds YAML parsing work. Not the webhook's AdmissionReview
 * body limit: a file may hold many objects (each becomes its own review), not one object and its old version.
 */
export const MAX_REVIEW_FILE_BYTES = 8 * 1024 * 1024;

// readDocuments reads a JSON or (multi-document) YAML file, or stdin for "-".
function readDocuments(path: string): unknown[] {
  let text: string;
  try {
    text = readFileSync(path === '-' ? 0 : path, 'utf8');
  } catch (error) {
    throw new ConfigError('CONFIG_FILE_UNREADABLE', `-f ${path}: cannot read the file`, { cause: error });
  }
  if (text.length > MAX_REVIEW_FILE_BYTES) {
    throw new ConfigError('CONFIG_FILE_UNREADABLE', `-f ${path}: larger than ${MAX_REVIEW_FILE_BYTES} bytes`);
  }
  const docs = parseAllDocuments(text);
  const list = Array.isArray(docs) ? docs : [docs];
  const out: unknown[] = [];
  for (const doc of list) {
    const first = doc.errors[0];
    if (first)
      throw new ConfigError(
        'CONFIG_FILE_UNREADABLE',
        `-f ${path}: not valid YAML or JSON: ${first.message.split('\n')[0]}`,
      );
    const value: unknown = doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
    if (value !== null && value !== undefined) out.push(value);
  }
  return out;
}

/** `portcullis review -f FILE`: judges every pod-bearing object as the webhook would; exit 1 if any is denied. */
export async function review(flags: ReviewFlags): Promise<number> {
  if (!flags.file) throw new ConfigError('CONFIG_INVALID_FLAG', '-f FILE is required (use - for stdin)');
  const docs = readDocuments(flags.file);
  const evaluate = createOfflineEvaluator(flags);
  const { requests, skipped } = toReviewRequests(docs);
  let denied = false;
  const answers: unknown[] = [];
  for (const { uid, request } of requests) {
    const { decision } = await evaluate(request);
    denied ||= !decision.allowed;
    const label = `${request.kind.kind} ${request.namespace}/${request.name ?? '(unnamed)'}`;
    if (flags.output === 'json') {
      answers.push(toAdmissionReview(uid, decision));
      continue;
    }
    process.stdout.write(`${decision.allowed ? 'ALLOWED' : 'DENIED '} ${label}\n`);
    if (decision.message) process.stdout.write(decision.message.replace(/^/gm, '    ') + '\n');
    for (const w of decision.warnings) process.stdout.write(`    warning: ${w}\n`);
    for (const [k, v] of Object.entries(decision.auditAnnotations))
      process.stdout.write(`    audit: ${k}=${v}\n`);
  }
  if (flags.output === 'json') process.stdout.write(JSON.stringify(answers, null, 2) + '\n');
  else
    for (const s of skipped)
      process.stdout.write(`SKIPPED ${s.kind} ${s.name ?? ''} (${s.location}): ${s.reason}\n`);
  if (requests.length === 0 && flags.output !== 'json')
    process.stdout.write('no pod-bearing objects found\n');
  return denied ? EXIT_DENIED : EXIT_ALLOWED;
}
