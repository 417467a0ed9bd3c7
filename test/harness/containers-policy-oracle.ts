// The real containers/image deciding an image under a containers-policy.json(5): hack/containers-policy-oracle
// (go.podman.io/image/v5 with sigstore compiled in) runs IsRunningImageAllowed, the check `skopeo copy` and
// podman make before they pull. The round-trip tests of `policy from-containers-policy` measure Portcullis
// against it; Debian's skopeo cannot be that oracle for sigstoreSigned, being built with sigstore disabled.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { TOOL_TIMEOUT_MS } from './images';
import { tool } from './tools';

const execFileP = promisify(execFile);

/** Where containers/image looks for signatures (registries.d's `default-docker`). */
export interface OracleSignatureSources {
  /** A folder of simple signatures (`file://` lookaside, as `skopeo copy --sign-by` stages them). */
  readonly lookasideDir?: string;
  /** Read cosign's `sha256-<digest>.sig` attachments (`use-sigstore-attachments: true`). */
  readonly useSigstoreAttachments?: boolean;
}

/** containers/image's decision: allowed, or rejected by a policy requirement with its reason. */
export interface OracleDecision {
  readonly allowed: boolean;
  readonly reason: string;
}

// registriesYaml is the registries.d file naming the signature sources for every registry.
function registriesYaml(sources: OracleSignatureSources): string {
  const lines = ['default-docker:'];
  if (sources.lookasideDir !== undefined) lines.push(`  lookaside: file://${sources.lookasideDir}`);
  if (sources.useSigstoreAttachments === true) lines.push('  use-sigstore-attachments: true');
  return `${lines.join('\n')}\n`;
}

/**
 * Runs the oracle on `image` (a registry reference, plain HTTP allowed) under `policyFile`. Resolves to its decision
 * when the policy decided (exit 0 or 1); rejects on any other failure (exit 2: policy file, registry, network).
 */
export async function containersImageDecision(
  policyFile: string,
  image: string,
  sources: OracleSignatureSources = {},
): Promise<OracleDecision> {
  const conf = await mkdtemp(path.join(os.tmpdir(), 'portcullis-registries-d-'));
  try {
    await writeFile(path.join(conf, 'default.yaml'), registriesYaml(sources));
    const args = ['--policy', policyFile, '--registries.d', conf, '--insecure', `docker://${image}`];
    try {
      const { stdout } = await execFileP(tool('containers-policy-oracle'), args, {
        timeout: TOOL_TIMEOUT_MS,
      });
      return { allowed: true, reason: stdout.trim() };
    } catch (error) {
      const { code, stdout } = error as { code?: unknown; stdout?: unknown };
      if (code === 1) return { allowed: false, reason: String(stdout).trim() };
      throw error;
    }
  } finally {
    await rm(conf, { recursive: true, force: true });
  }
}

/** Whether containers/image admits `image` under `policyFile` (see containersImageDecision). */
export async function containersImageAllows(
  policyFile: string,
  image: string,
  sources: OracleSignatureSources = {},
): Promise<boolean> {
  return (await containersImageDecision(policyFile, image, sources)).allowed;
}

/**
 * The second oracle, for what Debian's skopeo can evaluate (it is built with sigstore disabled, so it rejects every
 * sigstoreSigned image): `skopeo copy` of `image` under `policyFile`. True when copied; false when skopeo reports
 * a rejection; throws on any other failure.
 */
export async function skopeoAllows(
  policyFile: string,
  image: string,
  sources: OracleSignatureSources = {},
): Promise<boolean> {
  const conf = await mkdtemp(path.join(os.tmpdir(), 'portcullis-skopeo-'));
  try {
    await writeFile(path.join(conf, 'default.yaml'), registriesYaml(sources));
    const args = ['--policy', policyFile, '--registries.d', conf, 'copy', '--src-tls-verify=false'];
    await execFileP(tool('skopeo'), [...args, `docker://${image}`, `dir:${path.join(conf, 'out')}`], {
      timeout: TOOL_TIMEOUT_MS,
    });
    return true;
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr);
    if (/rejected|signature|not allowed|Source image rejected/i.test(stderr)) return false;
    throw error;
  } finally {
    await rm(conf, { recursive: true, force: true });
  }
}
