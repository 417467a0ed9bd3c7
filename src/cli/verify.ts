import type { AdmissionRequestFacts } from '../admission/admission.types';
import type { RequestEvaluation } from '../engine/evaluate-request';
import { isNamespaceName } from '../policy/decide/namespace-labels';
import { ConfigError, EXIT_ALLOWED, EXIT_DENIED } from './errors';
import { createOfflineEvaluator, type OfflineFlags } from '../app/offline';

export interface VerifyFlags extends OfflineFlags {
  output?: string;
  namespace?: string;
}

// syntheticPod wraps one image in a Pod CREATE request so that verify judges it exactly as the webhook would.
function syntheticPod(image: string, namespace: string, index: number): AdmissionRequestFacts {
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
      spec: { containers: [{ name: 'verify', image }] },
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

/** The machine-readable verdict of one image (`--output json`). */
export interface ImageVerdict {
  readonly image: string;
  readonly allowed: boolean;
  readonly digest?: string;
  readonly message?: string;
  readonly warnings: readonly string[];
  readonly policies: readonly { policy: string; mode: string; passed: boolean; reasons: readonly string[] }[];
}

// toVerdict condenses one evaluation of a single-image pod.
function toVerdict(image: string, result: RequestEvaluation): ImageVerdict {
  const d = result.decision;
  const digest = d.verified[0]?.digest;
  return {
    image,
    allowed: d.allowed,
    ...(digest ? { digest } : {}),
    ...(d.message ? { message: d.message } : {}),
    warnings: d.warnings,
    policies: (d.images[0]?.verdicts ?? []).map((v) => ({
      policy: v.policyId,
      mode: v.mode,
      passed: v.passed,
      reasons: v.reasons,
    })),
  };
}

// printHuman prints one line per image, then indented reasons.
function printHuman(verdicts: readonly ImageVerdict[]): void {
  for (const v of verdicts) {
    const passed = v.policies.filter((p) => p.passed).map((p) => p.policy);
    const tail = v.digest ? ` ${v.digest}` : '';
    process.stdout.write(
      `${v.allowed ? 'ALLOWED' : 'DENIED '} ${v.image}${tail}${passed.length ? ` (${passed.join(', ')})` : ''}\n`,
    );
    if (!v.allowed && v.message) process.stdout.write(v.message.replace(/^/gm, '    ') + '\n');
    for (const w of v.warnings) process.stdout.write(`    warning: ${w}\n`);
  }
}

/** `portcullis verify IMAGE...`: exit 0 when every image is allowed, 1 when any is denied. */
export async function verify(images: string[], flags: VerifyFlags): Promise<number> {
  const namespace = toNamespace(flags.namespace);
  const evaluate = createOfflineEvaluator(flags);
  const verdicts: ImageVerdict[] = [];
  for (const [index, image] of images.entries()) {
    verdicts.push(toVerdict(image, await evaluate(syntheticPod(image, namespace, index))));
  }
  if (flags.output === 'json') process.stdout.write(JSON.stringify({ images: verdicts }, null, 2) + '\n');
  else printHuman(verdicts);
  return verdicts.every((v) => v.allowed) ? EXIT_ALLOWED : EXIT_DENIED;
}
