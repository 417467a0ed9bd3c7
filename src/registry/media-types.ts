// Manifest media types we read, and how we tell them apart when a registry is vague.

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const DOCKER_MANIFEST_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';

/** Every manifest type we accept; Docker schema 1 is deliberately absent (unsigned by digest, deprecated). */
export const MANIFEST_MEDIA_TYPES: readonly string[] = [
  OCI_MANIFEST,
  OCI_INDEX,
  DOCKER_MANIFEST,
  DOCKER_MANIFEST_LIST,
];

/** The Accept header for manifest requests. */
export const MANIFEST_ACCEPT = MANIFEST_MEDIA_TYPES.join(', ');

/** The media type in a Content-Type header, without parameters, lower-cased. */
export function contentTypeOf(header: string | string[] | undefined): string | undefined {
  const v = Array.isArray(header) ? header[0] : header;
  const type = v?.split(';')[0]?.trim().toLowerCase();
  return type === '' ? undefined : type;
}

/**
 * Decides a manifest's media type from its JSON `mediaType`, else the Content-Type, else its shape
 * (OCI allows omitting `mediaType`). Undefined when none of these names a supported type.
 */
export function manifestMediaType(
  json: Record<string, unknown>,
  contentType: string | undefined,
): string | undefined {
  if (typeof json.mediaType === 'string')
    return MANIFEST_MEDIA_TYPES.includes(json.mediaType) ? json.mediaType : undefined;
  if (contentType !== undefined && MANIFEST_MEDIA_TYPES.includes(contentType)) return contentType;
  if (json.schemaVersion !== 2) return undefined;
  if (Array.isArray(json.manifests)) return OCI_INDEX;
  if (typeof json.config === 'object' && json.config !== null) return OCI_MANIFEST;
  return undefined;
}
