// Runs `docker-credential-<name> get` the way the docker CLI does: the server URL on stdin, JSON on stdout.
import { spawn } from 'node:child_process';
import { RegistryError } from '../errors';
import { MAX_CRED_HELPER_OUTPUT_BYTES, MAX_QUOTED_REGISTRY_TEXT } from '../limits';
import { quoteRegistryText } from '../errors';
import type { Credential } from '../registry.types';

/** What docker-credential-helpers prints (and exits non-zero with) when it holds nothing for the server. */
export const NOT_FOUND_MESSAGE = 'credentials not found in native keychain';

/** The username docker-credential-helpers uses to mean "Secret is an identity (refresh) token". */
export const IDENTITY_TOKEN_USERNAME = '<token>';

/** One helper run: which helper, for which registry, and how long it may take. */
export interface HelperRun {
  readonly helper: string;
  readonly registry: string;
  /** What goes on stdin: the registry host, or `https://index.docker.io/v1/` for Docker Hub. */
  readonly serverUrl: string;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  /** PATH to search for the helper (the process's own when absent). */
  readonly searchPath?: string;
}

/**
 * Runs the helper without a shell and answers its credentials, or undefined when it has none ("not found").
 * Throws REGISTRY_CREDENTIAL_HELPER_FAILED when it is missing, fails, hangs, floods or answers garbage; the
 * messages name the helper and registry, never what it printed on success.
 */
export function runCredentialHelper(run: HelperRun): Promise<Credential | undefined> {
  const program = `docker-credential-${run.helper}`;
  return new Promise((resolve, reject) => {
    const env = run.searchPath === undefined ? process.env : { ...process.env, PATH: run.searchPath };
    // detached: the helper leads its own process group, so a kill reaches the programs it started (gcloud).
    const child = spawn(program, ['get'], { shell: false, env, detached: true, stdio: 'pipe' });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outBytes = 0;
    let errBytes = 0;
    let settled = false;
    const finish = (e: Error | undefined, value?: Credential): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      run.signal?.removeEventListener('abort', onAbort);
      if (e === undefined) resolve(value);
      else reject(e);
    };
    const kill = (why: string): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
      child.stdout.destroy();
      child.stderr.destroy();
      finish(failed(run, why));
    };
    const onAbort = (): void => kill('the request was cancelled while it ran; killed it');
    const timer = setTimeout(
      () => kill(`it did not answer within ${run.timeoutMs} ms; killed it`),
      run.timeoutMs,
    );
    run.signal?.addEventListener('abort', onAbort, { once: true });
    // Helper output is untrusted in size: more than the limit on either stream kills it.
    child.stdout.on('data', (chunk: Buffer) => {
      outBytes += chunk.length;
      if (outBytes > MAX_CRED_HELPER_OUTPUT_BYTES) kill(overLimit('stdout'));
      else out.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      errBytes += chunk.length;
      if (errBytes > MAX_CRED_HELPER_OUTPUT_BYTES) kill(overLimit('stderr'));
      else err.push(chunk);
    });
    child.stdin.on('error', () => undefined); // a helper that exits without reading stdin is judged by its exit
    child.on('error', (e: NodeJS.ErrnoException) => {
      const why =
        e.code === 'ENOENT'
          ? `${program} was not found on PATH; install it in the image, or remove the credHelpers/credsStore entry`
          : `it could not be started (${e.code ?? 'error'})`;
      finish(failed(run, why));
    });
    child.on('close', (code, signal) => {
      if (settled) return;
      const stdout = Buffer.concat(out).toString('utf8');
      if (code === 0) {
        try {
          finish(undefined, toCredential(stdout, program));
        } catch (e) {
          finish(failed(run, (e as Error).message));
        }
        return;
      }
      if (stdout.trim() === NOT_FOUND_MESSAGE) return finish(undefined, undefined);
      // On failure the helper prints an error message (never credentials): quote its first line, bounded.
      const said = firstLine(stdout) || firstLine(Buffer.concat(err).toString('utf8'));
      const how = signal === null ? `exited with status ${code}` : `was killed by ${signal}`;
      finish(failed(run, `it ${how}${said === '' ? '' : `: ${quoteRegistryText(said)}`}`));
    });
    child.stdin.end(run.serverUrl);
  });
}

// toCredential reads `{"ServerURL","Username","Secret"}`; "<token>" as the username means an identity token.
function toCredential(stdout: string, program: string): Credential {
  let body: unknown;
  try {
    body = JSON.parse(stdout);
  } catch {
    // No cause: JSON errors quote the input, which holds the secret.
    throw new Error('its answer is not JSON');
  }
  const obj = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const { Username: username, Secret: secret } = obj;
  if (typeof secret !== 'string' || secret === '') throw new Error('its answer has no Secret');
  if (username !== undefined && typeof username !== 'string') throw new Error('its Username is not a string');
  const origin = `credential helper ${program}`;
  if (username === IDENTITY_TOKEN_USERNAME) return { identityToken: secret, origin };
  return { ...(username === undefined || username === '' ? {} : { username }), password: secret, origin };
}

// firstLine is the first non-empty line of a helper's error output, cut to the quoting limit; a line that looks
// like an answer (a broken helper printing credentials and failing anyway) is never quoted.
function firstLine(text: string): string {
  const line = text.split('\n').find((l) => l.trim() !== '') ?? '';
  if (/secret|password|token/i.test(line) && line.includes('{'))
    return '(output withheld: it looks like credentials)';
  return line.trim().slice(0, MAX_QUOTED_REGISTRY_TEXT);
}

// overLimit says which stream went over MAX_CRED_HELPER_OUTPUT_BYTES.
function overLimit(stream: string): string {
  return `it printed more than ${MAX_CRED_HELPER_OUTPUT_BYTES} bytes on ${stream} (MAX_CRED_HELPER_OUTPUT_BYTES); killed it`;
}

// failed builds the one error a helper run throws; `why` never holds a secret.
function failed(run: HelperRun, why: string): RegistryError {
  return new RegistryError(
    'REGISTRY_CREDENTIAL_HELPER_FAILED',
    `credential helper docker-credential-${run.helper} for ${run.registry} failed: ${why}`,
    { details: { registry: run.registry, helper: run.helper } },
  );
}
