import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

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
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ],
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
