// Turns what @sigstore/tuf and tuf-js throw into one TrustRootError with a code and a one-line reason.
// Their error classes are not exported by @sigstore/tuf, so they are told apart by name and shape.
import { TrustRootError, type TrustRootErrorCode } from './errors';
import { MAX_TUF_REASON_CHARS } from './limits';

// tuf-js classes raised when a file was fetched but fails the TUF rules (signatures, versions, expiry, hashes).
const REJECTED_CLASSES: ReadonlySet<string> = new Set([
  'RepositoryError',
  'BadVersionError',
  'EqualVersionError',
  'ExpiredMetadataError',
  'UnsignedMetadataError',
  'LengthOrHashMismatchError',
  'DownloadLengthMismatchError',
  'ValueError',
  'CryptoError',
  'UnsupportedAlgorithmError',
  'SyntaxError',
]);

// @sigstore/tuf codes that are about the local cache, not the mirror.
const CACHE_TUF_CODES: ReadonlySet<string> = new Set(['TUF_INIT_CACHE_ERROR', 'TUF_READ_TARGET_ERROR']);

/** Classifies a failure of `initTUF`/`getTarget` against `mirror`. */
export function toTrustRootError(error: unknown, mirror: string): TrustRootError {
  const chain = causes(error);
  const reason = chain
    .map(describe)
    .filter((m, i, all) => m !== '' && all.indexOf(m) === i)
    .join(': ');
  const code = classify(chain);
  return new TrustRootError(code, `TUF mirror ${mirror}: ${cut(reason || 'unknown error')}`, {
    cause: error,
    details: { mirror },
  });
}

// classify picks the code from the innermost error that says something definite.
function classify(chain: readonly unknown[]): TrustRootErrorCode {
  for (const e of [...chain].reverse()) {
    const name = className(e);
    if (name === 'DownloadHTTPError' || name === 'TimeoutError' || name === 'AbortError')
      return 'TRUST_ROOT_MIRROR_UNREACHABLE';
    if (isNetworkError(e)) return 'TRUST_ROOT_MIRROR_UNREACHABLE';
    if (name === 'PersistError' || isFileError(e)) return 'TRUST_ROOT_CACHE_FAILED';
    if (REJECTED_CLASSES.has(name)) return 'TRUST_ROOT_TUF_REJECTED';
  }
  const outer = chain[0] as { code?: unknown } | undefined;
  if (typeof outer?.code === 'string' && CACHE_TUF_CODES.has(outer.code)) return 'TRUST_ROOT_CACHE_FAILED';
  return 'TRUST_ROOT_TUF_REJECTED';
}

/** The fields of an error we read. Duck-typed: errors from Node's fetch may come from another realm. */
interface ErrorLike {
  readonly name: string;
  readonly message: string;
  readonly cause?: unknown;
  readonly code?: unknown;
  readonly statusCode?: unknown;
  readonly syscall?: unknown;
  readonly constructor?: { readonly name?: unknown };
}

// asError narrows a throwable to the error fields we read.
function asError(e: unknown): ErrorLike | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const o = e as Partial<ErrorLike>;
  return typeof o.message === 'string' && typeof o.name === 'string' ? (o as ErrorLike) : undefined;
}

// causes lists an error and its causes, outermost first (bounded: a cause cycle must not hang us).
function causes(error: unknown): unknown[] {
  const out: unknown[] = [];
  for (let e: unknown = error; e !== undefined && e !== null && out.length < 8;) {
    out.push(e);
    e = asError(e)?.cause;
  }
  return out;
}

// describe renders one error of the chain: its message, with the HTTP status or errno when it has one.
function describe(raw: unknown): string {
  const e = asError(raw);
  if (e === undefined) return typeof raw === 'string' ? raw : '';
  const first = e.message.split('\n')[0] ?? '';
  const status = e.statusCode;
  if (typeof status === 'number') return `${first} (HTTP ${status})`;
  if (e.name === 'TimeoutError') return 'a request to the mirror timed out';
  return first;
}

// isNetworkError recognises undici's (fetch's) connection failures: "fetch failed" and socket errno codes.
function isNetworkError(raw: unknown): boolean {
  const e = asError(raw);
  if (e === undefined) return false;
  // tuf-js rewraps a foreign-realm error as `new Error(String(error))`, so the message may be prefixed.
  if (/^(TypeError: )?fetch failed$/.test(e.message)) return true;
  const code = e.code;
  return (
    typeof code === 'string' &&
    (/^E(CONN|HOST|NET|AI_|ADDR|PIPE|NOTFOUND|TIMEDOUT|PROTO)/.test(code) || code.startsWith('UND_ERR'))
  );
}

// isFileError recognises a failed file-system call (the TUF cache folder).
function isFileError(e: unknown): boolean {
  return typeof asError(e)?.syscall === 'string' && !isNetworkError(e);
}

// className is the constructor name of an error (tuf-js classes do not set `name`).
function className(raw: unknown): string {
  const e = asError(raw);
  if (e === undefined) return '';
  const ctor = e.constructor?.name;
  return e.name !== 'Error' || typeof ctor !== 'string' ? e.name : ctor;
}

// cut bounds a reason for the log.
function cut(text: string): string {
  return text.length > MAX_TUF_REASON_CHARS ? `${text.slice(0, MAX_TUF_REASON_CHARS)}…` : text;
}
