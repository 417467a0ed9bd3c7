/** A parsed, normalised image reference, as the container runtime would pull it. */
export interface ImageRef {
  /** Registry host, lower-cased, with port if any. Docker Hub is always `docker.io`. IPv6 hosts keep brackets. */
  readonly registry: string;
  /** Repository path inside the registry, e.g. `library/nginx`. Always lower-case per the grammar. */
  readonly repository: string;
  /** `registry/repository`, the name that policy globs match, e.g. `docker.io/library/nginx`. */
  readonly name: string;
  /** The tag, when the reference has one; `latest` is implied only when there is neither tag nor digest. */
  readonly tag?: string;
  /** `algorithm:hex`, when the reference pins a digest. A digest wins over a tag. */
  readonly digest?: string;
  /** The reference exactly as written in the pod spec (attacker-controlled; quote it, never interpret it). */
  readonly original: string;
}

/** A compiled image glob; `matches` takes a normalised `ImageRef.name`. */
export interface ImageMatcher {
  readonly glob: string;
  matches(name: string): boolean;
}
