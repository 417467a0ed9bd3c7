// The simpleSigning authority as users write it (GPG simple signing, containers-policy.json(5) `signedBy`); part of
// crd.types.ts, kept in its own file for size. Its doc comments are CRD descriptions too (ADR 0002).
import type { SecretKeyRef } from './crd.types';

/** Public keys of a simpleSigning authority: exactly one of `data` (ASCII-armored) or `secretRef`. */
export interface SimpleSigningKey {
  /** One or several ASCII-armored OpenPGP public key blocks (`gpg --armor --export <fingerprint>`). */
  data?: string;
  /** A Secret key holding ASCII-armored OpenPGP public keys, as `data` would. */
  secretRef?: SecretKeyRef;
}

/** How a signature's `critical.identity.docker-reference` must relate to the image (containers-policy.json(5)). */
export type SignedIdentityType =
  | 'matchRepoDigestOrExact'
  | 'matchRepository'
  | 'matchExact'
  | 'exactReference'
  | 'exactRepository'
  | 'remapIdentity';

/** containers-policy.json(5) `signedIdentity`; which other fields apply depends on `type`. */
export interface SignedIdentity {
  /** The rule; default matchRepoDigestOrExact (a tag must match exactly, a digest only the repository). */
  type: SignedIdentityType;
  /** exactReference only: the reference every signature must name, with a tag or digest. */
  dockerReference?: string;
  /** exactRepository only: the repository every signature must name. */
  dockerRepository?: string;
  /** remapIdentity only: the prefix of the image's name to replace, e.g. `mirror.example.com/team`. */
  prefix?: string;
  /** remapIdentity only: what the prefix is replaced by before matching, e.g. `quay.io/team`. */
  signedPrefix?: string;
}

/** GPG "simple signing" (atomic container signatures), as containers-policy.json(5) `signedBy` checks them. */
export interface SimpleSigningAuthority {
  /** containers-policy.json(5) `keyType`; only GPGKeys exists for simple signing. Default GPGKeys. */
  keyType?: 'GPGKeys';
  /** The keys that may sign; a signature by any other key does not count. */
  keys: SimpleSigningKey[];
  /** Which signed identity (`docker-reference`) is accepted for an image. Default matchRepoDigestOrExact. */
  signedIdentity?: SignedIdentity;
  /** The lookaside base URL (registries.d `lookaside`), https (http on loopback only); signatures are read at `<lookaside>/<repository>@sha256=<hex>/signature-<n>`. */
  lookaside: string;
}
