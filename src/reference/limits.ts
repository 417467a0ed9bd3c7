/** Longest image string we look at; longer input is rejected before any pattern runs on it. */
export const MAX_REFERENCE_LENGTH = 4096;

/** Longest normalised `registry/repository` name (distribution/reference NameTotalLengthMax). */
export const MAX_NAME_LENGTH = 255;

/** Longest tag, per the tag grammar `[\w][\w.-]{0,127}`. */
export const MAX_TAG_LENGTH = 128;

/** Longest policy image glob we compile. */
export const MAX_GLOB_LENGTH = 512;

/** Docker Hub's name in normalised references. */
export const DOCKER_HUB = 'docker.io';

/** Docker Hub's legacy name, an alias of `docker.io` when written exactly like this. */
export const DOCKER_HUB_LEGACY = 'index.docker.io';

/** Where Docker Hub's registry API actually lives. */
export const DOCKER_HUB_API_HOST = 'registry-1.docker.io';

/** Namespace of Docker Hub's official images: `nginx` is `docker.io/library/nginx`. */
export const OFFICIAL_NAMESPACE = 'library';

/** The tag the runtime pulls when a reference has neither tag nor digest. */
export const DEFAULT_TAG = 'latest';

/** Hex length of each digest algorithm we can verify. */
export const SUPPORTED_DIGESTS: ReadonlyMap<string, number> = new Map([
  ['sha256', 64],
  ['sha512', 128],
]);
