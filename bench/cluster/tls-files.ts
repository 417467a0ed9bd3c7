// Serving certificates for the restart bench: one CA (which the clients trust) and leaf certificates for
// 127.0.0.1 that it signs, made with the real openssl, so that a rotated certificate is trusted as before.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

// openssl runs one openssl command in `dir`.
function openssl(dir: string, args: readonly string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
}

/** Makes `ca.crt`/`ca.key` in `dir` and answers the CA's PEM. */
export function makeCa(dir: string): string {
  openssl(dir, [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2',
    '-subj', '/CN=bench-ca', '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,keyCertSign', '-keyout', 'ca.key', '-out', 'ca.crt',
  ]); // prettier-ignore
  return readFileSync(path.join(dir, 'ca.crt'), 'utf8');
}

/** Issues a leaf for 127.0.0.1 signed by the CA in `dir`: `<name>.crt` and `<name>.key`; answers their paths. */
export function issueLeaf(dir: string, name: string): { certFile: string; keyFile: string } {
  writeFileSync(path.join(dir, 'leaf.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl(dir, [
    'req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', `/CN=${name}`,
    '-keyout', `${name}.key`, '-out', `${name}.csr`,
  ]); // prettier-ignore
  openssl(dir, [
    'x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2',
    '-extfile', 'leaf.ext', '-out', `${name}.crt`,
  ]); // prettier-ignore
  return { certFile: path.join(dir, `${name}.crt`), keyFile: path.join(dir, `${name}.key`) };
}
