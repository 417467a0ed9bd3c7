import { MAX_NAME_LENGTH, MAX_TAG_LENGTH } from '../reference/limits';
import type { JsonPatchOp } from './admission-review.types';

/** Longest image string /mutate will pin; longer ones are left alone (they were verified, just not pinned). */
export const MAX_PINNABLE_REFERENCE_CHARS = 512;

// The distribution/reference grammar for `name[:tag]` (no digest), anchored. Input is length-capped first,
// so backtracking stays bounded.
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const HOST = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])`;
const NAME = `(?:${HOST}(?::[0-9]+)?/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const NAME_AND_TAG = new RegExp(`^(${NAME})(?::[\\w][\\w.-]{0,${MAX_TAG_LENGTH - 1}})?$`);
const SHA256_DIGEST = /^sha256:[a-f0-9]{64}$/;
// Pods only (docs/operations.md#endpoints): an image field directly under a Pod's spec.
const POD_IMAGE_POINTER =
  /^\/spec\/(?:containers|initContainers|ephemeralContainers)\/(?:0|[1-9][0-9]*)\/image$/;

/**
 * The pinned form of an image string as the user wrote it, `original@digest` (tag and spelling kept:
 * `nginx:1.25` → `nginx:1.25@sha256:…`, `nginx` → `nginx@sha256:…`). Undefined when the original
 * (attacker-controlled) already carries a digest, does not parse as `name[:tag]`, or the digest is not a
 * lower-case sha256.
 */
export function toPinnedReference(original: string, digest: string): string | undefined {
  if (!SHA256_DIGEST.test(digest) || original.length > MAX_PINNABLE_REFERENCE_CHARS) return undefined;
  const match = NAME_AND_TAG.exec(original);
  if (match === null || (match[1] ?? '').length > MAX_NAME_LENGTH) return undefined;
  return `${original}@${digest}`;
}

/**
 * The JSONPatch /mutate returns: for each verified image field of a Pod that is not pinned yet, a `test`
 * that the field still holds the verified string, then a `replace` with `original@digest`. Nothing else
 * is touched. Fields of pod templates (Deployments, ...) are not patched: /mutate is for Pods only, and
 * each Pod the controller creates is pinned on its own admission.
 */
export function buildPinningPatch(
  verified: readonly {
    readonly field: string;
    readonly pointer: string;
    readonly image: string;
    readonly digest: string;
  }[],
): JsonPatchOp[] {
  const ops: JsonPatchOp[] = [];
  const seen = new Set<string>();
  for (const v of verified) {
    if (!POD_IMAGE_POINTER.test(v.pointer) || seen.has(v.pointer)) continue;
    const pinned = toPinnedReference(v.image, v.digest);
    if (pinned === undefined) continue;
    seen.add(v.pointer);
    ops.push(
      { op: 'test', path: v.pointer, value: v.image },
      { op: 'replace', path: v.pointer, value: pinned },
    );
  }
  return ops;
}
