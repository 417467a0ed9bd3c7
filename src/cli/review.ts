import { toAdmissionReview, toReviewRequests } from '../admission';
import { ConfigError, EXIT_ALLOWED, EXIT_DENIED } from './errors';
import { createOfflineEvaluator, type OfflineFlags } from '../app/offline';
import { readManifestFile } from './manifests';
import { printReport, toCliReport, toResultBody } from './output/report';
import type { ResultReport } from './output/report.types';
import { createProgress } from './progress';

export interface ReviewFlags extends OfflineFlags {
  file?: string;
  output?: string;
}

// printHuman prints one line per object, then its denial, warnings and audit annotations.
function printHuman(r: ResultReport): void {
  const o = r.object;
  const label = `${o?.kind ?? ''} ${r.namespace}/${o?.name ?? '(unnamed)'}`;
  process.stdout.write(`${r.allowed ? 'ALLOWED' : 'DENIED '} ${label}\n`);
  if (r.message) process.stdout.write(r.message.replace(/^/gm, '    ') + '\n');
  for (const w of r.warnings) process.stdout.write(`    warning: ${w}\n`);
  for (const [k, v] of Object.entries(r.auditAnnotations)) process.stdout.write(`    audit: ${k}=${v}\n`);
}

/** `portcullis review -f FILE`: judges every pod-bearing object as the webhook would; exit 1 if any is denied. */
export async function review(flags: ReviewFlags): Promise<number> {
  if (!flags.file) throw new ConfigError('CONFIG_INVALID_FLAG', '-f FILE is required (use - for stdin)');
  const { documents } = readManifestFile(flags.file);
  const evaluate = createOfflineEvaluator(flags);
  const { requests, skipped } = toReviewRequests(documents);
  const progress = createProgress();
  const results: ResultReport[] = [];
  try {
    for (const [index, { uid, request }] of requests.entries()) {
      progress.step(
        index,
        requests.length,
        `${request.kind.kind} ${request.namespace}/${request.name ?? ''}`,
      );
      const { decision } = await evaluate(request);
      results.push({
        kind: 'object',
        object: {
          kind: request.kind.kind,
          namespace: request.namespace,
          ...(request.name === undefined ? {} : { name: request.name }),
        },
        namespace: request.namespace,
        ...toResultBody(decision),
        admissionReview: toAdmissionReview(uid, decision),
      });
    }
  } finally {
    progress.done();
  }
  if (flags.output === 'json') {
    const skippedReports = skipped.map((s) => ({
      location: s.location,
      kind: s.kind,
      reason: s.reason,
      ...(s.name ? { name: s.name } : {}),
    }));
    printReport(toCliReport('ReviewReport', results, skippedReports));
    return results.every((r) => r.allowed) ? EXIT_ALLOWED : EXIT_DENIED;
  }
  for (const r of results) printHuman(r);
  for (const s of skipped)
    process.stdout.write(`SKIPPED ${s.kind} ${s.name ?? ''} (${s.location}): ${s.reason}\n`);
  if (requests.length === 0) process.stdout.write('no pod-bearing objects found\n');
  return results.every((r) => r.allowed) ? EXIT_ALLOWED : EXIT_DENIED;
}
