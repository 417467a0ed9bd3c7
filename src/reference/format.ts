// Turns parsed references back into strings: canonical for messages and cache keys, pinned for /mutate.
import { digestProblem } from './components';
import { invalidReference } from './errors';
import { DEFAULT_TAG, DOCKER_HUB, DOCKER_HUB_API_HOST } from './limits';
import type { ImageRef } from './reference.types';

/**
 * The canonical, fully qualified form: `docker.io/library/nginx:latest`,
 * `registry.example.com/app:1.0@sha256:…`, or `…/app@sha256:…`. Parsing it gives back the same reference.
 */
export function formatReference(ref: ImageRef): string {
  const tag = ref.tag ?? (ref.digest === undefined ? DEFAULT_TAG : undefined);
  return `${ref.name}${tag === undefined ? '' : `:${tag}`}${ref.digest === undefined ? '' : `@${ref.digest}`}`;
}

/**
 * The reference pinned to a verified digest, `name:tag@digest` (tag kept when present), for the
 * mutating webhook. Throws {@link ImageReferenceError} when `digest` is malformed or differs from a
 * digest the reference already carries.
 */
export function pinnedReference(ref: ImageRef, digest: string): string {
  // The digest came from a registry response: check it before it goes into a pod spec.
  const problem = digestProblem(digest);
  if (problem !== undefined) {
    throw invalidReference(
      ref.original,
      `cannot pin it to "${digest.slice(0, 80)}": ${problem.reason}`,
      problem.unsupported ? 'REFERENCE_UNSUPPORTED_DIGEST' : 'REFERENCE_INVALID',
    );
  }
  if (ref.digest !== undefined && ref.digest !== digest) {
    throw invalidReference(ref.original, `cannot pin it to ${digest}: it already pins ${ref.digest}`);
  }
  return `${ref.name}${ref.tag === undefined ? '' : `:${ref.tag}`}@${digest}`;
}

/** The host that serves a registry's API: Docker Hub's lives at `registry-1.docker.io`. */
export function registryApiHost(registry: string): string {
  return registry === DOCKER_HUB ? DOCKER_HUB_API_HOST : registry;
}

/** `sha256:0123456789ab…` (12 hex digits) for messages: enough to tell digests apart. */
export function shortDigest(digest: string): string {
  return digest.length > 19 ? `${digest.slice(0, 19)}…` : digest;
}
