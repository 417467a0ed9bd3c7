// Test helper: a small real PKI made with openssl (root CA, code-signing leaf, CRLs), and keys to sign with.
import { execFileSync } from 'node:child_process';
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface TestPki {
  readonly dir: string;
  readonly rootPem: string;
  readonly rootDer: Buffer;
  readonly leafDer: Buffer;
  readonly leafKey: KeyObject;
  /** A second root, unrelated to the first. */
  readonly otherRootPem: string;
  /** PEM CRLs signed by the root: none revoked, and the leaf revoked. */
  readonly emptyCrl: Buffer;
  readonly revokingCrl: Buffer;
  /** A CRL listing the leaf, signed by the other root. */
  readonly foreignCrl: Buffer;
}

const CA_CONFIG = `[ca]\ndefault_ca = test\n[test]\ndir = .\ndatabase = ./index.txt\nnew_certs_dir = .\nserial = ./serial\ncrlnumber = ./crlnumber\ndefault_md = sha256\ndefault_crl_days = 2\npolicy = any\n[any]\ncommonName = supplied\n`;

// openssl runs one openssl command in `dir`.
function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
}

// ca runs `openssl ca` with the folder's root as the signing CA.
function ca(dir: string, args: string[]): void {
  openssl(dir, ['ca', '-config', 'ca.cnf', '-keyfile', 'root.key', '-cert', 'root.pem', ...args]);
}

// makeRoot creates a self-signed CA in its own folder with an openssl `ca` database.
function makeRoot(dir: string, cn: string): void {
  writeFileSync(path.join(dir, 'ca.cnf'), CA_CONFIG);
  writeFileSync(path.join(dir, 'index.txt'), '');
  writeFileSync(path.join(dir, 'serial'), '01\n');
  writeFileSync(path.join(dir, 'crlnumber'), '01\n');
  openssl(dir, [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'root.key',
    '-out',
    'root.pem',
    '-days',
    '3',
    '-subj',
    `/C=US/ST=WA/O=Test/CN=${cn}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
}

/** Builds the PKI; `crlUrl` goes into the leaf's CRL distribution point. `leafExt` adds openssl extensions. */
export function makePki(crlUrl = 'http://127.0.0.1:9/crl.pem', leafExt: string[] = []): TestPki {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'portcullis-pki-'));
  const other = mkdtempSync(path.join(os.tmpdir(), 'portcullis-pki-other-'));
  makeRoot(dir, 'Root');
  makeRoot(other, 'Other Root');
  openssl(dir, [
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    'leaf.key',
    '-out',
    'leaf.csr',
    '-subj',
    '/C=US/ST=WA/L=Seattle/O=Test/OU=Release/CN=Leaf',
  ]);
  writeFileSync(
    path.join(dir, 'leaf.ext'),
    [
      'keyUsage=critical,digitalSignature',
      'extendedKeyUsage=codeSigning',
      `crlDistributionPoints=URI:${crlUrl}`,
      ...leafExt,
    ].join('\n'),
  );
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    'leaf.csr',
    '-CA',
    'root.pem',
    '-CAkey',
    'root.key',
    '-CAcreateserial',
    '-out',
    'leaf.pem',
    '-days',
    '2',
    '-extfile',
    'leaf.ext',
  ]);
  ca(dir, ['-gencrl', '-out', 'empty-crl.pem']);
  ca(dir, ['-revoke', 'leaf.pem']);
  ca(dir, ['-gencrl', '-out', 'revoking-crl.pem']);
  // The other root "revokes" the leaf too: its CRL has the right serial but the wrong signer.
  writeFileSync(path.join(other, 'index.txt'), readFileSync(path.join(dir, 'index.txt')));
  ca(other, ['-gencrl', '-out', 'foreign-crl.pem']);
  const read = (d: string, f: string): Buffer => readFileSync(path.join(d, f));
  const rootPem = read(dir, 'root.pem').toString('utf8');
  return {
    dir,
    rootPem,
    rootDer: new X509Certificate(rootPem).raw,
    leafDer: new X509Certificate(read(dir, 'leaf.pem')).raw,
    leafKey: createPrivateKey(read(dir, 'leaf.key')),
    otherRootPem: read(other, 'root.pem').toString('utf8'),
    emptyCrl: read(dir, 'empty-crl.pem'),
    revokingCrl: read(dir, 'revoking-crl.pem'),
    foreignCrl: read(other, 'foreign-crl.pem'),
  };
}
