import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

/** The repository root (test/harness/../..). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** How long the first, uncached tool build may take (go install of cosign is slow on 2 cores). */
export const TOOLS_BUILD_TIMEOUT_MS = 40 * 60 * 1000;

/** Every binary hack/tools.sh links into the bin folder. */
export type ToolName =
  | 'crane'
  | 'cosign'
  | 'cosign2'
  | 'docker-registry'
  | 'htpasswd'
  | 'oci-registry'
  // a Docker credential helper with a file store (hack/credential-helper)
  | 'docker-credential-portcullis-test'
  // containers/image deciding under a containers-policy.json, sigstore included (hack/containers-policy-oracle)
  | 'containers-policy-oracle'
  | 'skopeo'
  // GnuPG, for simple signing with skopeo copy --sign-by (test/harness/simple-signing.ts)
  | 'gpg'
  | 'gpgconf'
  | 'umoci'
  // the shared cache's store (Debian bookworm-backports)
  | 'valkey-server'
  // the e2e control plane (hack/kube/) and the chart
  | 'etcd'
  | 'kube-apiserver'
  | 'kubectl'
  | 'helm';

let cached: string | undefined;

/**
 * The folder that holds every ToolName binary.
 * PORTCULLIS_TOOLS wins; otherwise hack/tools.sh runs once (it is idempotent and cached) and its last line is used.
 */
export function toolsBin(): string {
  if (cached !== undefined) return cached;
  const fromEnv = process.env.PORTCULLIS_TOOLS;
  if (fromEnv !== undefined && fromEnv !== '') {
    cached = fromEnv;
    return cached;
  }
  const out = execFileSync('bash', [path.join(REPO_ROOT, 'hack', 'tools.sh')], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: TOOLS_BUILD_TIMEOUT_MS,
  });
  const lines = out.split('\n').filter((l) => l.trim() !== '');
  const last = lines[lines.length - 1];
  if (last === undefined) throw new Error('hack/tools.sh printed no bin directory');
  cached = last.trim();
  return cached;
}

// tool joins a binary name onto the bin folder so callers never build paths by hand.
export function tool(name: ToolName): string {
  return path.join(toolsBin(), name);
}
