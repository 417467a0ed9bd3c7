import type { AdmissionRequestFacts } from '../admission/admission.types';
import { isNamespaceName } from '../policy/decide/namespace-labels';
import { ConfigError, EXIT_ALLOWED, EXIT_DENIED } from './errors';
import { createOfflineEvaluator, type OfflineFlags } from '../app/offline';
import { collectManifestImages, type ImageTarget } from './manifest-images';
import { readManifests } from './manifests';
import { printReport, toCliReport, toResultBody } from './output/report';
import type { ResultReport, SkippedReport } from './output/report.types';
import { createProgress } from './progress';

export interface VerifyFlags extends OfflineFlags {
  output?: string;
  namespace?: string;
  /** -f FILE-OR-FOLDER (repeatable): manifests whose images are verified too. */
  file?: string[];
  /** --runtime-class NAME: the runtimeClassName of the Pod each image is judged in (spec.placement). */
  runtimeClass?: string;
  /** --node-selector KEY=VALUE (repeatable): that Pod's nodeSelector. */
  nodeSelector?: string[];
}

/** Where the Pod that verify judges each image in asks to run: what spec.placement reads. */
interface PodPlacement {
  readonly runtimeClassName?: string;
  readonly nodeSelector?: Record<string, string>;
}

// syntheticPod wraps one image in a Pod CREATE request so that verify judges it exactly as the webhook would.
function syntheticPod(
  image: string,
  namespace: string,
  index: number,
  placement: PodPlacement,
): AdmissionRequestFacts {
  return {
    uid: `portcullis-verify-${index}`,
    kind: { group: '', version: 'v1', kind: 'Pod' },
    resource: { group: '', version: 'v1', resource: 'pods' },
    name: 'portcullis-verify',
    namespace,
    operation: 'CREATE',
    userInfo: { username: 'portcullis-verify', groups: [] },
    dryRun: true,
    object: {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'portcullis-verify', namespace },
      spec: { ...placement, containers: [{ name: 'verify', image }] },
    },
  };
}

// toNamespace validates --namespace: it selects ImagePolicies and is the name label selectors see.
function toNamespace(value: string | undefined): string {
  const namespace = value ?? 'default';
  if (!isNamespaceName(namespace)) {
    throw new ConfigError(
      'CONFIG_INVALID_FLAG',
      `--namespace expects a namespace name (a DNS-1123 label), not ${JSON.stringify(namespace)}`,
    );
  }
  return namespace;
}

// toPlacement reads --runtime-class and --node-selector; the API server's own checks judge the values later.
function toPlacement(flags: VerifyFlags): PodPlacement {
  const nodeSelector: Record<string, string> = {};
  for (const pair of flags.nodeSelector ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0)
      throw new ConfigError(
        'CONFIG_INVALID_FLAG',
        `--node-selector expects KEY=VALUE (e.g. trust.example/attested=true), not ${JSON.stringify(pair)}`,
      );
    nodeSelector[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  if (flags.runtimeClass === '')
    throw new ConfigError('CONFIG_INVALID_FLAG', '--runtime-class expects a RuntimeClass name');
  return {
    ...(flags.runtimeClass !== undefined ? { runtimeClassName: flags.runtimeClass } : {}),
    ...(Object.keys(nodeSelector).length > 0 ? { nodeSelector } : {}),
  };
}

// printHuman prints one line per image, then where manifests name it, then indented reasons.
function printHuman(results: readonly ResultReport[], skipped: readonly SkippedReport[]): void {
  for (const r of results) {
    const [first] = r.images;
    const passed = (first?.policies ?? []).filter((p) => p.passed).map((p) => p.policy);
    const tail = first?.digest ? ` ${first.digest}` : '';
    process.stdout.write(
      `${r.allowed ? 'ALLOWED' : 'DENIED '} ${r.image ?? ''}${tail}${passed.length ? ` (${passed.join(', ')})` : ''}\n`,
    );
    for (const s of r.sources ?? [])
      process.stdout.write(
        `    in ${s.file}: ${s.kind} ${s.namespace}/${s.name ?? '(unnamed)'} ${s.field}\n`,
      );
    if (!r.allowed && r.message) process.stdout.write(r.message.replace(/^/gm, '    ') + '\n');
    for (const w of r.warnings) process.stdout.write(`    warning: ${w}\n`);
  }
  for (const s of skipped)
    process.stdout.write(`SKIPPED ${s.kind} ${s.name ?? ''} (${s.file ?? ''}, ${s.location}): ${s.reason}\n`);
}

// toTargets lists the image arguments, then the images of the -f manifests.
function toTargets(images: readonly string[], flags: VerifyFlags, namespace: string) {
  const manifests = flags.file?.length
    ? collectManifestImages(readManifests(flags.file), namespace)
    : undefined;
  const targets: ImageTarget[] = [
    ...images.map((image) => ({ image, namespace, sources: [] })),
    ...(manifests?.targets ?? []),
  ];
  if (targets.length === 0)
    throw new ConfigError(
      'CONFIG_INVALID_FLAG',
      'give image references, or -f with manifests that run images',
    );
  return { targets, skipped: manifests?.skipped ?? [] };
}

/** `portcullis verify [IMAGE...] [-f MANIFESTS]`: exit 0 when every image is allowed, 1 when any is denied. */
export async function verify(images: string[], flags: VerifyFlags): Promise<number> {
  const namespace = toNamespace(flags.namespace);
  const placement = toPlacement(flags);
  const { targets, skipped } = toTargets(images, flags, namespace);
  const evaluate = createOfflineEvaluator(flags);
  const progress = createProgress();
  const results: ResultReport[] = [];
  try {
    for (const [index, t] of targets.entries()) {
      progress.step(index, targets.length, t.image);
      const { decision } = await evaluate(syntheticPod(t.image, t.namespace, index, placement));
      results.push({
        kind: 'image',
        image: t.image,
        namespace: t.namespace,
        ...(t.sources.length > 0 ? { sources: t.sources } : {}),
        ...toResultBody(decision),
      });
    }
  } finally {
    progress.done();
  }
  if (flags.output === 'json') printReport(toCliReport('VerifyReport', results, skipped));
  else printHuman(results, skipped);
  return results.every((r) => r.allowed) ? EXIT_ALLOWED : EXIT_DENIED;
}
