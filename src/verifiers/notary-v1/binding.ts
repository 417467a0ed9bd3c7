// Binds verified trust data to the image: the signed target must be exactly the digest the registry resolved.
import { createHash } from 'node:crypto';
import type { Descriptor } from '../../registry/registry.types';
import { VerifyError } from '../errors';
import type { FileMeta } from './metadata';
import type { LoadedTargets, TrustedRepository } from './repository';

/** The role whose tags count, as Docker Content Trust decides it. */
export const RELEASES_ROLE = 'targets/releases';
/** How many signed tag names a "not signed" message lists. */
const MAX_TAGS_IN_MESSAGE = 10;

/** What the image reference asks for: a tag (the registry resolved it) or a digest. */
export interface BindingRequest {
  readonly tag?: string;
  readonly digest?: string;
  /** What the registry resolved the reference to. */
  readonly descriptor: Descriptor;
  /** Roles that must each have signed the same digest (the policy's `delegations`). */
  readonly requiredDelegations: readonly string[];
}

/** Which role signed the image, under which target name. */
export interface Binding {
  readonly role: string;
  readonly target: string;
}

/**
 * Checks that the trust data signs `req.descriptor`. A tag must be listed, with the resolved sha256 and
 * length, in `targets/releases` (or `targets` when there is no releases delegation); a digest must be carried
 * by some signed target. Every required delegation must have signed the same digest. Throws
 * VERIFY_TAG_NOT_SIGNED, VERIFY_DIGEST_MISMATCH, VERIFY_NO_SIGNATURES or VERIFY_DELEGATION_MISSING.
 */
export async function verifyBinding(repo: TrustedRepository, req: BindingRequest): Promise<Binding> {
  const hex = sha256Hex(req.descriptor.digest);
  const releases = repo.targets.data.delegations.some((d) => d.name === RELEASES_ROLE);
  const primary = releases ? await repo.delegation(RELEASES_ROLE) : repo.targets;
  const primaryName = releases ? RELEASES_ROLE : 'targets';
  let binding: Binding;
  if (req.digest === undefined) {
    const tag = req.tag ?? 'latest';
    const meta = primary === undefined ? undefined : signedTarget(primary, tag);
    if (meta === undefined) {
      const signed = primary === undefined ? [] : [...primary.data.targets.keys()];
      const list = signed
        .slice(0, MAX_TAGS_IN_MESSAGE)
        .map((t) => JSON.stringify(t))
        .join(', ');
      throw new VerifyError(
        'VERIFY_TAG_NOT_SIGNED',
        `tag "${tag}" is not signed in ${primaryName} of ${repo.gun} (signed tags: ${list || 'none'}); sign it with \`docker trust sign\` or \`notary add\``,
      );
    }
    if (!matches(meta, hex, req.descriptor.size)) {
      throw new VerifyError(
        'VERIFY_DIGEST_MISMATCH',
        `tag "${tag}" is signed in ${primaryName} as ${describe(meta)}, but the registry serves sha256:${hex} (${req.descriptor.size} bytes): the tag was pushed again after signing, or someone is serving other content; re-sign the tag, or deploy the signed digest`,
      );
    }
    binding = { role: primaryName, target: tag };
  } else {
    const found = await findDigest(repo, primary, hex);
    if (found === undefined) throw unsignedDigestError(repo, primary, primaryName, req, hex);
    binding = found;
  }
  for (const name of req.requiredDelegations) await verifyDelegationSigned(repo, name, req, hex);
  return binding;
}

/**
 * Why a digest is carried by no signed target. A reference that also names a tag (as the mutating webhook pins
 * it: `app:v4@sha256:…`) is explained through that tag: signed for another digest (pushed again after signing),
 * or not signed at all; the verdict is the same denial either way.
 */
function unsignedDigestError(
  repo: TrustedRepository,
  primary: LoadedTargets | undefined,
  primaryName: string,
  req: BindingRequest,
  hex: string,
): VerifyError {
  const meta = req.tag === undefined || primary === undefined ? undefined : signedTarget(primary, req.tag);
  if (req.tag !== undefined && meta !== undefined) {
    return new VerifyError(
      'VERIFY_DIGEST_MISMATCH',
      `tag "${req.tag}" is signed in ${primaryName} as ${describe(meta)}, but the pod runs sha256:${hex}, which no signed target of ${repo.gun} carries: the tag was pushed again after signing, or someone is serving other content; re-sign the tag, or deploy the signed digest`,
    );
  }
  if (req.tag !== undefined) {
    return new VerifyError(
      'VERIFY_TAG_NOT_SIGNED',
      `tag "${req.tag}" is not signed in ${primaryName} of ${repo.gun}, and no signed target carries sha256:${hex}; sign it with \`docker trust sign\` or \`notary add\``,
    );
  }
  return new VerifyError(
    'VERIFY_NO_SIGNATURES',
    `no signed target of ${repo.gun} carries sha256:${hex}: sign a tag for this digest (\`notary addhash\`), or deploy a signed tag`,
  );
}

// verifyDelegationSigned requires one policy-listed delegation to have signed the same tag and digest.
async function verifyDelegationSigned(
  repo: TrustedRepository,
  name: string,
  req: BindingRequest,
  hex: string,
): Promise<void> {
  const role = await repo.delegation(name);
  if (role === undefined) {
    throw new VerifyError(
      'VERIFY_DELEGATION_MISSING',
      `the policy requires delegation ${name}, but ${repo.gun} does not delegate to it or it has signed nothing`,
    );
  }
  if (req.digest === undefined) {
    const tag = req.tag ?? 'latest';
    const meta = signedTarget(role, tag);
    if (meta !== undefined && matches(meta, hex, req.descriptor.size)) return;
    const what = meta === undefined ? 'did not sign it' : `signed it as ${describe(meta)}`;
    throw new VerifyError(
      'VERIFY_DELEGATION_MISSING',
      `the policy requires delegation ${name} to sign tag "${tag}" (sha256:${hex}), but ${name} ${what}`,
    );
  }
  for (const t of role.data.targets.keys()) {
    const meta = signedTarget(role, t);
    if (meta !== undefined && matches(meta, hex)) return;
  }
  throw new VerifyError(
    'VERIFY_DELEGATION_MISSING',
    `the policy requires delegation ${name} to sign sha256:${hex}, but no target of ${name} carries it`,
  );
}

// findDigest searches the role whose tags count, then targets, then the other first-level delegations.
async function findDigest(
  repo: TrustedRepository,
  primary: LoadedTargets | undefined,
  hex: string,
): Promise<Binding | undefined> {
  const names = [
    primary?.name,
    'targets',
    ...repo.targets.data.delegations.map((d) => d.name).filter((n) => n.split('/').length === 2),
  ];
  const seen = new Set<string>();
  for (const name of names) {
    if (name === undefined || seen.has(name)) continue;
    seen.add(name);
    const role = name === 'targets' ? repo.targets : await repo.delegation(name);
    if (role === undefined) continue;
    for (const t of role.data.targets.keys()) {
      const meta = signedTarget(role, t);
      if (meta !== undefined && matches(meta, hex)) return { role: name, target: t };
    }
  }
  return undefined;
}

/** A target a role signed, or undefined; a delegation counts only inside its `paths` / `path_hash_prefixes`. */
export function signedTarget(role: LoadedTargets, name: string): FileMeta | undefined {
  const meta = role.data.targets.get(name);
  const d = role.delegation;
  if (meta === undefined || d === undefined) return meta;
  if (d.paths?.some((p) => name.startsWith(p))) return meta;
  const h = createHash('sha256').update(name).digest('hex');
  if (d.pathHashPrefixes?.some((p) => h.startsWith(p))) return meta;
  return undefined;
}

// matches compares a signed target with the resolved manifest: same sha256, and same length when given
// (for a digest reference the hash alone identifies the content).
function matches(meta: FileMeta, hex: string, size?: number): boolean {
  return meta.hashes.sha256?.toString('hex') === hex && (size === undefined || meta.length === size);
}

// describe renders a signed target for messages.
function describe(meta: FileMeta): string {
  const h = meta.hashes.sha256;
  return `${h === undefined ? 'no sha256' : `sha256:${h.toString('hex')}`} (${meta.length} bytes)`;
}

// sha256Hex takes the hex of a `sha256:` digest (the verifier refuses other algorithms first).
function sha256Hex(digest: string): string {
  return digest.slice('sha256:'.length);
}
