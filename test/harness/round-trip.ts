// Converter round trips as a migrating user runs them: `portcullis policy from-<peer>` on the peer's file, its
// output kept as a policy folder, then `portcullis verify` on real images against that folder.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { runPortcullis, type CliRun } from './cli';

/** A converted policy folder and the converter run that wrote it. */
export interface Converted {
  readonly policyDir: string;
  readonly run: CliRun;
}

/** One image's decision by `portcullis verify --output json`. */
export interface Decision {
  readonly image: string;
  readonly allowed: boolean;
  /** Why, for a denial (the error codes are in here). */
  readonly message?: string;
}

/** Writes a peer's input file (text) under a fresh folder and returns its path. */
export async function writePeerInput(name: string, text: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'portcullis-peer-input-'));
  const file = path.join(dir, name);
  await writeFile(file, text);
  return file;
}

/** Runs `portcullis policy <command> FILE flags…`; on success writes stdout to a fresh policy folder. */
export async function convertInto(
  command: string,
  file: string,
  flags: readonly string[] = [],
): Promise<Converted> {
  const run = await runPortcullis(['policy', command, file, ...flags]);
  const policyDir = await mkdtemp(path.join(os.tmpdir(), 'portcullis-converted-'));
  if (run.code === 0) await writeFile(path.join(policyDir, 'converted.yaml'), run.stdout);
  return { policyDir, run };
}

/**
 * Judges `images` with one `portcullis verify --output json` run against `policyDir`, and returns the decision
 * of each, in order. Throws on a usage error (exit 2) so a broken run never reads as a denial.
 */
export async function decide(
  policyDir: string,
  images: readonly string[],
  flags: readonly string[],
): Promise<Decision[]> {
  const run = await runPortcullis([
    'verify',
    ...images,
    '--policy-dir',
    policyDir,
    '--output',
    'json',
    ...flags,
  ]);
  if (run.code !== 0 && run.code !== 1)
    throw new Error(`verify exited ${run.code}:\n${run.stdout}${run.stderr}`);
  // docs/cli-output.md: a VerifyReport with one result per image argument, in order.
  const out = JSON.parse(run.stdout) as { results: Decision[] };
  return out.results.map((d) => ({
    image: d.image,
    allowed: d.allowed,
    ...(d.message ? { message: d.message } : {}),
  }));
}

/** The fixture's PEM public key (the first one in the text). */
const PEM = /-----BEGIN PUBLIC KEY-----[\s\S]*?-----END PUBLIC KEY-----/;

/** Puts `pem` where the peer's file had its own public key, keeping the YAML indentation of that line. */
export function withKey(text: string, pem: string): string {
  return text.replace(PEM, (old) => {
    const line = text.slice(0, text.indexOf(old)).split('\n').pop() ?? '';
    return pem.trim().split('\n').join(`\n${line}`);
  });
}

/**
 * Gives every keyless cosign authority of the converted policies `trustedRoot` inline: a peer's policy that names
 * the public Sigstore converts to an authority trusting it, which a loopback test cannot reach, so the round trip
 * substitutes the local Sigstore's root there (and nothing else).
 */
export async function withTrustedRoot(converted: Converted, trustedRoot: unknown): Promise<void> {
  const file = path.join(converted.policyDir, 'converted.yaml');
  const docs = parseAllDocuments(await readFile(file, 'utf8')).map((d) => d.toJS() as PolicyLike);
  for (const doc of docs)
    for (const authority of doc?.spec?.authorities ?? [])
      if (authority.cosign?.keyless !== undefined)
        authority.cosign.keyless.trustedRoot = { data: JSON.stringify(trustedRoot) };
  await writeFile(file, docs.map((d) => stringify(d)).join('---\n'));
}

/** The part of a converted policy withTrustedRoot edits. */
interface PolicyLike {
  spec?: { authorities?: { cosign?: { keyless?: Record<string, unknown> } }[] };
}
