import { lstatSync, readdirSync, readFileSync, type Dirent } from 'node:fs';
import * as path from 'node:path';
import { MAX_CERTIFICATE_PEM_BYTES } from '../policy/authorities/notation';
import {
  notationStoreRefs,
  parseNotationTrustPolicy,
  policiesFromNotation,
  toNotationPolicyYaml,
} from '../convert/notation-trust-policy';
import type { NotationNamedStore, NotationStoreRef } from '../convert/notation-trust-policy.types';
import { MAX_NOTATION_STORE_FILES, NOTATION_CERTIFICATE_EXTENSIONS } from '../convert/notation-trust-store';
import { ConfigError, EXIT_ALLOWED } from './errors';
import { readFlagFile } from '../app/options';

/** Flags of `policy from-notation`. */
export interface FromNotationFlags {
  readonly trustStore: string;
  readonly namespace?: string;
  readonly cluster?: boolean;
}

/**
 * `portcullis policy from-notation trustpolicy.json --trust-store DIR`: prints one ImagePolicy (or, with
 * `--cluster`, ClusterImagePolicy) per trust policy statement, with the named stores' certificates inlined.
 * Notes (e.g. where Portcullis semantics differ) go to stderr and into the YAML as comments.
 */
export function fromNotation(file: string, flags: FromNotationFlags): Promise<number> {
  if (flags.cluster && flags.namespace !== undefined)
    throw new ConfigError(
      'CONFIG_INVALID_FLAG',
      '--namespace and --cluster exclude each other: a ClusterImagePolicy has no namespace',
    );
  const doc = parseNotationTrustPolicy(readFlagFile('policy from-notation', file));
  const root = trustStoreRoot(flags.trustStore);
  const stores = notationStoreRefs(doc).map((ref) => readNamedStore(root, ref, ref.statement));
  const conversion = policiesFromNotation(doc, stores, flags);
  for (const n of conversion.notes)
    process.stderr.write(`portcullis: ${n.severity}: trust policy "${n.statement}": ${n.message}\n`);
  process.stdout.write(toNotationPolicyYaml(conversion, `${file} and the trust store ${flags.trustStore}`));
  return Promise.resolve(EXIT_ALLOWED);
}

// trustStoreRoot accepts Notation's truststore folder (holding x509/) or the Notation config folder above it.
function trustStoreRoot(dir: string): string {
  for (const candidate of [dir, path.join(dir, 'truststore')]) {
    if (isRealDirectory(path.join(candidate, 'x509'))) return candidate;
  }
  throw storeError(
    `--trust-store ${dir}: no x509/ folder in it. Point it at Notation's trust store ` +
      '(~/.config/notation/truststore, which holds x509/<ca|signingAuthority|tsa>/<name>/)',
  );
}

// readNamedStore reads x509/<type>/<name>/: certificate files only, sub-folders ignored, symlinks refused.
function readNamedStore(root: string, ref: NotationStoreRef, statement: string): NotationNamedStore {
  const dir = path.join(root, 'x509', ref.type, ref.name);
  const what = `trust policy "${statement}" names trust store ${ref.type}:${ref.name}`;
  let stat;
  try {
    stat = lstatSync(dir);
  } catch {
    throw storeError(`${what}, but ${dir} does not exist; add it with \`notation certificate add\``);
  }
  if (stat.isSymbolicLink()) throw symlinkError(dir);
  if (!stat.isDirectory()) throw storeError(`${what}, but ${dir} is not a folder`);
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    throw storeError(
      `${dir}: cannot list the folder (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      error,
    );
  }
  const ignored: string[] = [];
  const names: string[] = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.isSymbolicLink()) throw symlinkError(path.join(dir, entry.name));
    if (entry.isDirectory()) ignored.push(`the sub-folder ${entry.name}/`);
    else if (!NOTATION_CERTIFICATE_EXTENSIONS.some((ext) => entry.name.toLowerCase().endsWith(ext)))
      ignored.push(`the file ${entry.name} (not .pem, .crt or .cer)`);
    else names.push(entry.name);
  }
  if (names.length > MAX_NOTATION_STORE_FILES)
    throw storeError(
      `${dir}: ${names.length} certificate files; at most ${MAX_NOTATION_STORE_FILES} are read`,
    );
  const files = names.map((name) => ({ name, data: readCertificateFile(path.join(dir, name)) }));
  return { ...ref, files, ignored };
}

// readCertificateFile reads one bounded file; the size is checked first so a huge file is never loaded.
function readCertificateFile(file: string): Buffer {
  try {
    if (lstatSync(file).size > MAX_CERTIFICATE_PEM_BYTES)
      throw storeError(`${file}: larger than ${MAX_CERTIFICATE_PEM_BYTES} bytes; is it a certificate?`);
    return readFileSync(file);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(
      'CONFIG_FILE_UNREADABLE',
      `${file}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      { cause: error },
    );
  }
}

// isRealDirectory: a folder that is not a symbolic link.
function isRealDirectory(dir: string): boolean {
  try {
    const stat = lstatSync(dir);
    return stat.isDirectory() && !stat.isSymbolicLink();
  } catch {
    return false;
  }
}

// symlinkError: Notation refuses symbolic links in trust stores, and so do we (a link can point anywhere).
function symlinkError(file: string): ConfigError {
  return storeError(
    `${file} is a symbolic link; Notation refuses them in trust stores, and so does Portcullis: copy the file or folder instead`,
  );
}

// storeError builds the trust-store layout error.
function storeError(message: string, cause?: unknown): ConfigError {
  return new ConfigError('CONFIG_TRUST_STORE_INVALID', message, cause === undefined ? {} : { cause });
}
