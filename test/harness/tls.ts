import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** What `openssl req -x509` should make: an EC key (P-256 unless told) and a self-signed certificate. */
export interface SelfSignedSpec {
  readonly keyFile: string;
  readonly certFile: string;
  /** e.g. `/CN=name` */
  readonly subject: string;
  readonly curve?: 'P-256' | 'P-384' | 'P-521';
  readonly days?: number;
  /** `-addext` values, e.g. `extendedKeyUsage=codeSigning`. */
  readonly extensions?: readonly string[];
}

/** The argv for `openssl` that makes the key and self-signed certificate of `spec`; callers choose how to run it. */
export function selfSignedArgs(spec: SelfSignedSpec): string[] {
  return [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', `ec_paramgen_curve:${spec.curve ?? 'P-256'}`, '-nodes',
    '-days', String(spec.days ?? 2), '-subj', spec.subject,
    ...(spec.extensions ?? []).flatMap((e) => ['-addext', e]),
    '-keyout', spec.keyFile, '-out', spec.certFile,
  ]; // prettier-ignore
}

/** A PEM certificate and key on disk. */
export interface TlsPair {
  readonly certFile: string;
  readonly keyFile: string;
  readonly cert: string;
  readonly key: string;
}

/** Makes a self-signed P-256 certificate for 127.0.0.1 with the real openssl, in `dir`. */
export function selfSignedCert(dir: string, name: string): TlsPair {
  const keyFile = path.join(dir, `${name}.key`);
  const certFile = path.join(dir, `${name}.crt`);
  execFileSync(
    'openssl',
    selfSignedArgs({
      keyFile,
      certFile,
      subject: `/CN=${name}`,
      extensions: ['subjectAltName=IP:127.0.0.1,DNS:localhost'],
    }),
    { stdio: 'ignore' },
  );
  return { certFile, keyFile, cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
}

/** A throwaway self-signed certificate for 127.0.0.1 (files removed again), for loopback TLS servers in tests. */
export function throwawayCert(name = 'portcullis-test'): { cert: string; key: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'portcullis-tls-'));
  try {
    const pair = selfSignedCert(dir, name);
    return { cert: pair.cert, key: pair.key };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
