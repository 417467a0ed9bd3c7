// containers-policy.json(5) `signedIdentity`: whether a signature's `critical.identity.docker-reference` is
// accepted for the image being admitted, with the semantics of containers/image's policy_reference_match.go.
// One case has no upstream semantics: containers/image's docker transport refuses a reference with both a tag
// and a digest, which is what a pod holds once /mutate (or a GitOps tool) pinned `app:v1` to `app:v1@sha256:…`.
// Such an image is judged as its tag (`app:v1`) or as the whole reference: the digest it pins is the target
// digest, which the signed `docker-manifest-digest` must equal anyway.
import type { CompiledSignedIdentity } from '../../policy/compile/compiled.types';
import { formatReference, isNameOnlyReference, parseImageReference, type ImageRef } from '../../reference';

/** A reference as docker/reference sees it: its name, its full string, and whether it is a name only. */
interface Named {
  readonly name: string;
  readonly text: string;
  /** For an image with a tag and a digest: also `name:tag`, the reference before it was pinned. */
  readonly tagText?: string;
  readonly nameOnly: boolean;
  /** NamedTagged (a tag, with or without a digest) versus Canonical (a digest only). */
  readonly tagged: boolean;
}

/**
 * Whether `signedReference` (from a verified payload, so written by a trusted signer, but still parsed
 * defensively) is accepted for `intended` (the image as the pod names it) under `identity`.
 */
export function matchesSignedIdentity(
  identity: CompiledSignedIdentity,
  intended: ImageRef,
  signedReference: string,
): boolean {
  const signature = toNamed(signedReference);
  if (signature === undefined) return false;
  switch (identity.type) {
    case 'matchRepoDigestOrExact':
      return matchRepoDigestOrExact(fromImageRef(intended), signature);
    case 'matchExact':
      return !signature.nameOnly && sameText(fromImageRef(intended), signature);
    case 'matchRepository':
      return signature.name === intended.name;
    case 'exactReference':
      return !signature.nameOnly && signature.text === identity.dockerReference;
    case 'exactRepository':
      return signature.name === identity.dockerRepository;
    case 'remapIdentity': {
      const remapped = remap(fromImageRef(intended), identity.prefix, identity.signedPrefix);
      return remapped !== undefined && matchRepoDigestOrExact(remapped, signature);
    }
  }
}

/** The signedIdentity rule in words, for messages: `exactReference "quay.io/app:1"`. */
export function describeRule(authority: { readonly signedIdentity: CompiledSignedIdentity }): string {
  const id = authority.signedIdentity;
  switch (id.type) {
    case 'exactReference':
      return `exactReference "${id.dockerReference}"`;
    case 'exactRepository':
      return `exactRepository "${id.dockerRepository}"`;
    case 'remapIdentity':
      return `remapIdentity "${id.prefix}" → "${id.signedPrefix}"`;
    case 'matchRepoDigestOrExact':
    case 'matchRepository':
    case 'matchExact':
      return id.type;
  }
}

// matchRepoDigestOrExact: a tagged image needs exactly its reference signed; one by digest only its repository.
function matchRepoDigestOrExact(intended: Named, signature: Named): boolean {
  if (signature.nameOnly) return false;
  if (intended.tagged) return sameText(intended, signature);
  if (!intended.nameOnly) return signature.name === intended.name;
  return false;
}

// remap replaces `prefix` by `signedPrefix` in the image's reference when its name is, or is under, the prefix
// (whole path components only); the result must again be a fully qualified reference, else nothing matches.
function remap(intended: Named, prefix: string, signedPrefix: string): Named | undefined {
  const { name } = intended;
  const under = name === prefix || (name.startsWith(prefix) && name[prefix.length] === '/');
  if (!under) return intended;
  const text = signedPrefix + intended.text.slice(prefix.length);
  const named = toNamed(text);
  if (named === undefined || named.text !== text) return undefined;
  const tagText =
    intended.tagText === undefined ? undefined : signedPrefix + intended.tagText.slice(prefix.length);
  return tagText === undefined ? named : { ...named, tagText };
}

// sameText compares a signed reference with the image's full reference, or its tag form when pinned.
function sameText(intended: Named, signature: Named): boolean {
  return signature.text === intended.text || signature.text === intended.tagText;
}

// fromImageRef views the admitted image as containers/image's docker transport does (a bare name means :latest).
function fromImageRef(ref: ImageRef): Named {
  const pinnedTag = ref.tag !== undefined && ref.digest !== undefined ? `${ref.name}:${ref.tag}` : undefined;
  return {
    name: ref.name,
    text: formatReference(ref),
    ...(pinnedTag === undefined ? {} : { tagText: pinnedTag }),
    nameOnly: false,
    tagged: ref.tag !== undefined,
  };
}

// toNamed parses a signed reference as ParseNormalizedNamed would; undefined when it is not a reference.
function toNamed(text: string): Named | undefined {
  let ref: ImageRef;
  try {
    ref = parseImageReference(text);
  } catch {
    return undefined;
  }
  // docker/reference keeps a host's case, so `Quay.io/x` is not `quay.io/x`: refuse rather than fold it.
  const first = text.split('/')[0] ?? '';
  if (text.includes('/') && first.toLowerCase() === ref.registry && first !== ref.registry) return undefined;
  const nameOnly = isNameOnlyReference(text);
  return {
    name: ref.name,
    text: nameOnly ? ref.name : formatReference(ref),
    nameOnly,
    tagged: !nameOnly && ref.tag !== undefined,
  };
}
