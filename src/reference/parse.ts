// Parses image strings from pod specs (attacker-controlled) into normalised references, the way the
// container runtime does (distribution/reference ParseDockerRef), but stricter wherever the runtime is ambiguous.
import { digestProblem, hostProblem, isHostComponent, pathProblem, tagProblem } from './components';
import { invalidReference } from './errors';
import {
  DEFAULT_TAG,
  DOCKER_HUB,
  DOCKER_HUB_LEGACY,
  MAX_NAME_LENGTH,
  MAX_REFERENCE_LENGTH,
  OFFICIAL_NAMESPACE,
} from './limits';
import type { ImageRef } from './reference.types';

const IMAGE_ID = /^[a-f0-9]{64}$/;

/**
 * Parses and normalises an image reference: `nginx` becomes registry `docker.io`, repository
 * `library/nginx`, tag `latest`. Hosts are lower-cased. A reference with both tag and digest keeps both
 * (the digest is what counts). Throws {@link ImageReferenceError} (`REFERENCE_INVALID`,
 * `REFERENCE_TOO_LONG`, `REFERENCE_UNSUPPORTED_DIGEST`) for anything else.
 */
export function parseImageReference(input: string): ImageRef {
  checkCharacters(input);
  if (IMAGE_ID.test(input)) {
    throw invalidReference(input, 'a bare 64-hex image ID is not a reference; write name@sha256:<hex>');
  }
  const at = input.indexOf('@');
  const namePart = at < 0 ? input : input.slice(0, at);
  const digest = at < 0 ? undefined : input.slice(at + 1);
  const { name, tag } = splitTag(namePart);
  if (name === '') throw invalidReference(input, 'the repository name is missing');
  const { registry, repository } = splitRegistry(input, name);
  if (registry.length + 1 + repository.length > MAX_NAME_LENGTH) {
    throw invalidReference(
      input,
      `the normalised name is longer than ${MAX_NAME_LENGTH} characters`,
      'REFERENCE_TOO_LONG',
    );
  }
  if (tag !== undefined) {
    const problem = tagProblem(tag);
    if (problem !== undefined) throw invalidReference(input, problem);
  }
  if (digest !== undefined) checkDigest(input, digest);
  const effectiveTag = tag ?? (digest === undefined ? DEFAULT_TAG : undefined);
  return {
    registry,
    repository,
    name: `${registry}/${repository}`,
    ...(effectiveTag === undefined ? {} : { tag: effectiveTag }),
    ...(digest === undefined ? {} : { digest }),
    original: input,
  };
}

// checkCharacters rejects empty, oversized and non-printable input before any pattern runs on it.
function checkCharacters(input: string): void {
  if (typeof input !== 'string') throw invalidReference(String(input), 'the image must be a string');
  if (input === '') throw invalidReference(input, 'the image is empty');
  if (input.length > MAX_REFERENCE_LENGTH) {
    throw invalidReference(
      input,
      `it is longer than ${MAX_REFERENCE_LENGTH} characters`,
      'REFERENCE_TOO_LONG',
    );
  }
  for (let i = 0; i < input.length; i++) {
    const c = input.charCodeAt(i);
    if (c > 0x20 && c < 0x7f) continue;
    const what =
      c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d
        ? 'whitespace'
        : c < 0x20 || c === 0x7f
          ? 'a control character'
          : 'a non-ASCII character';
    throw invalidReference(
      input,
      `it contains ${what} at position ${i}; references are printable ASCII only`,
    );
  }
}

// splitTag separates `:tag` from the last path segment; a ':' before the last '/' belongs to the host port.
function splitTag(namePart: string): { name: string; tag?: string } {
  const colon = namePart.indexOf(':', namePart.lastIndexOf('/') + 1);
  if (colon < 0) return { name: namePart };
  return { name: namePart.slice(0, colon), tag: namePart.slice(colon + 1) };
}

// splitRegistry applies the runtime's host rule, validates both halves, and canonicalises Docker Hub names.
function splitRegistry(input: string, name: string): { registry: string; repository: string } {
  const slash = name.indexOf('/');
  const first = slash < 0 ? '' : name.slice(0, slash);
  const hasHost = slash >= 0 && isHostComponent(first);
  let registry = DOCKER_HUB;
  let repository = hasHost ? name.slice(slash + 1) : name;
  if (hasHost) {
    const problem = hostProblem(first);
    if (problem !== undefined) throw invalidReference(input, problem);
    const lower = first.toLowerCase();
    if (lower !== first && (lower === DOCKER_HUB || lower === DOCKER_HUB_LEGACY)) {
      // The runtime would not treat a mixed-case Docker Hub name as Docker Hub; refuse rather than guess.
      throw invalidReference(input, `write the Docker Hub host as "${DOCKER_HUB}" in lower case`);
    }
    registry = lower === DOCKER_HUB_LEGACY ? DOCKER_HUB : lower;
  }
  const problem = pathProblem(repository);
  if (problem !== undefined) {
    const hint =
      !hasHost && /[A-Z]/.test(first)
        ? " (a registry host needs a '.' or a ':port', or must be 'localhost')"
        : '';
    throw invalidReference(input, problem + hint);
  }
  if (registry === DOCKER_HUB && !repository.includes('/'))
    repository = `${OFFICIAL_NAMESPACE}/${repository}`;
  return { registry, repository };
}

// checkDigest maps a digest problem to REFERENCE_UNSUPPORTED_DIGEST or REFERENCE_INVALID.
function checkDigest(input: string, digest: string): void {
  if (digest.includes('@')) throw invalidReference(input, "it contains more than one '@'");
  const problem = digestProblem(digest);
  if (problem === undefined) return;
  throw invalidReference(
    input,
    problem.reason,
    problem.unsupported ? 'REFERENCE_UNSUPPORTED_DIGEST' : 'REFERENCE_INVALID',
  );
}

/**
 * Whether `input`, a reference `parseImageReference` accepts, names a repository only (no tag, no digest), as
 * docker/reference's IsNameOnly says before any `latest` is implied.
 */
export function isNameOnlyReference(input: string): boolean {
  return !input.includes('@') && splitTag(input).tag === undefined;
}
