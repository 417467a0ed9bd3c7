import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT, tool, toolsBin } from './tools';

/**
 * The script that starts and stops etcd, kube-apiserver and kube-controller-manager (deployment and replicaset
 * controllers only); the harness calls it so the flags live in one place.
 */
export const CONTROL_PLANE_SCRIPT = path.join(REPO_ROOT, 'hack', 'control-plane.sh');

/**
 * How long `control-plane.sh start` may take (etcd, then kube-apiserver's first /readyz, then
 * kube-controller-manager's controllers, on 2 busy cores).
 */
export const CONTROL_PLANE_START_TIMEOUT_MS = 240_000;

/** How long `control-plane.sh stop` may take (a grace period per process, then SIGKILL). */
export const CONTROL_PLANE_STOP_TIMEOUT_MS = 60_000;

/** Default time limit of one kubectl call. */
export const KUBECTL_TIMEOUT_MS = 60_000;

/** Largest stdout/stderr kept from one command. */
export const MAX_OUTPUT_BYTES = 32 * 1024 * 1024;

/** A running control plane as plain data (what the e2e harness file holds for test workers). */
export interface ControlPlaneInfo {
  /** The folder with kubeconfig, certs, logs, audit.log and pid files. */
  readonly dir: string;
  /** Admin kubeconfig (bearer token in group system:masters; namespace `default`). */
  readonly kubeconfig: string;
  /** `https://127.0.0.1:PORT`. */
  readonly server: string;
  /** The admin bearer token. A test secret: never print it. */
  readonly token: string;
  /** The API server's self-signed serving certificate, which is also the CA to trust. */
  readonly caFile: string;
  /** kube-apiserver's audit log (JSON lines; every write at Metadata level, so auditAnnotations show). */
  readonly auditLog: string;
  /** Process-group ids of kube-controller-manager, kube-apiserver and etcd (a teardown fallback). */
  readonly pids: readonly number[];
}

/** A control plane this process started. */
export interface ControlPlane extends ControlPlaneInfo {
  /** Stops kube-controller-manager, kube-apiserver and etcd, then removes `dir` (unless it was passed in). */
  stop(): Promise<void>;
}

/** What a command printed and how it exited. */
export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options of `kubectl()`. */
export interface KubectlOptions {
  /** Written to kubectl's stdin (use with `-f -`). */
  readonly input?: string;
  /** Return a non-zero exit instead of throwing. */
  readonly allowFailure?: boolean;
  readonly timeoutMs?: number;
}

/**
 * Starts etcd, kube-apiserver and kube-controller-manager on loopback through hack/control-plane.sh and waits
 * until /readyz says ok and the controllers run (a Deployment then gets its ReplicaSet and Pods; no kubelet runs them).
 * With no `dir`, a fresh temporary folder is used and removed again by stop().
 */
export async function startControlPlane(options: { dir?: string } = {}): Promise<ControlPlane> {
  const dir = options.dir ?? (await mkdtemp(path.join(os.tmpdir(), 'portcullis-cp-')));
  const removeDir = options.dir === undefined;
  const stop = async (): Promise<void> => {
    await stopControlPlane(dir);
    if (removeDir) await rm(dir, { recursive: true, force: true, maxRetries: 5 });
  };
  try {
    await run('bash', [CONTROL_PLANE_SCRIPT, 'start', dir], {
      timeoutMs: CONTROL_PLANE_START_TIMEOUT_MS,
      env: { ...process.env, PORTCULLIS_TOOLS: toolsBin() },
    });
    return { ...(await readControlPlane(dir)), stop };
  } catch (e) {
    await stop().catch(() => undefined);
    throw e;
  }
}

/** Stops the control plane whose files are in `dir` (idempotent; keeps the folder). */
export async function stopControlPlane(dir: string): Promise<void> {
  await run('bash', [CONTROL_PLANE_SCRIPT, 'stop', dir], { timeoutMs: CONTROL_PLANE_STOP_TIMEOUT_MS });
}

/** Reads what control-plane.sh wrote into `dir` (control-plane.env and the token). */
export async function readControlPlane(dir: string): Promise<ControlPlaneInfo> {
  const env = parseEnvFile(await readFile(path.join(dir, 'control-plane.env'), 'utf8'));
  const need = (key: string): string => {
    const v = env.get(key);
    if (v === undefined || v === '') throw new Error(`${dir}/control-plane.env has no ${key}`);
    return v;
  };
  return {
    dir,
    kubeconfig: need('KUBECONFIG'),
    server: need('KUBE_SERVER'),
    token: (await readFile(need('KUBE_TOKEN_FILE'), 'utf8')).trim(),
    caFile: need('KUBE_CA_FILE'),
    auditLog: need('KUBE_AUDIT_LOG'),
    pids: [
      Number(need('KUBE_CONTROLLER_MANAGER_PID')),
      Number(need('KUBE_APISERVER_PID')),
      Number(need('ETCD_PID')),
    ],
  };
}

/**
 * Runs the real kubectl against the control plane (`--kubeconfig` is added). Throws on a non-zero exit, with
 * what kubectl printed, unless `allowFailure` is set.
 */
export async function kubectl(
  cp: Pick<ControlPlaneInfo, 'kubeconfig'>,
  args: readonly string[],
  options: KubectlOptions = {},
): Promise<CommandResult> {
  return run(tool('kubectl'), ['--kubeconfig', cp.kubeconfig, ...args], {
    input: options.input,
    allowFailure: options.allowFailure,
    timeoutMs: options.timeoutMs ?? KUBECTL_TIMEOUT_MS,
  });
}

// parseEnvFile reads KEY=VALUE lines (no quoting: control-plane.sh writes plain paths and numbers).
function parseEnvFile(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) out.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  }
  return out;
}

// run wraps execFile: feeds stdin, enforces a timeout, and reports the exit code instead of a bare error.
function run(
  cmd: string,
  args: readonly string[],
  options: { input?: string; allowFailure?: boolean; timeoutMs: number; env?: NodeJS.ProcessEnv },
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      cmd,
      args,
      {
        timeout: options.timeoutMs,
        maxBuffer: MAX_OUTPUT_BYTES,
        env: options.env ?? process.env,
        encoding: 'utf8',
      },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
        const result = { code, stdout, stderr };
        if (code === 0 || (options.allowFailure === true && err?.killed !== true)) {
          resolve(result);
          return;
        }
        const why = err?.killed === true ? `timed out after ${options.timeoutMs} ms` : `exited with ${code}`;
        reject(new Error(`${path.basename(cmd)} ${args.join(' ')} ${why}:\n${stderr}${stdout}`));
      },
    );
    child.stdin?.on('error', () => undefined); // the command may exit before reading all of its input
    child.stdin?.end(options.input ?? '');
  });
}
