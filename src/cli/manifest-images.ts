import { extractImages, toReviewRequests } from '../admission';
import { isRecord } from '../guards';
import type { ManifestFile } from './manifests';
import type { SkippedReport, SourceReport } from './output/report.types';

/** One image to verify, in one namespace, with every place the manifests name it. */
export interface ImageTarget {
  readonly image: string;
  readonly namespace: string;
  readonly sources: SourceReport[];
}

/** What `verify -f` found in its manifests. */
export interface ManifestImages {
  readonly targets: ImageTarget[];
  readonly skipped: SkippedReport[];
}

/**
 * Collects the images of every pod-bearing object of the manifests, with the same extractors as admission.
 * An image is verified once per namespace (the object's metadata.namespace, else `defaultNamespace`), however often it
 * appears; its sources list where. Objects of other kinds are reported as skipped.
 */
export function collectManifestImages(
  files: readonly ManifestFile[],
  defaultNamespace: string,
): ManifestImages {
  const byKey = new Map<string, ImageTarget>();
  const skipped: SkippedReport[] = [];
  for (const { file, documents } of files) {
    const found = toReviewRequests(documents);
    for (const s of found.skipped)
      skipped.push({
        file,
        location: s.location,
        kind: s.kind,
        reason: s.reason,
        ...(s.name ? { name: s.name } : {}),
      });
    for (const { request } of found.requests) {
      const namespace = namesNamespace(request.object) ? request.namespace : defaultNamespace;
      for (const use of extractImages(request.kind, request.object, request.subResource)) {
        const key = `${namespace}\u0000${use.image}`;
        const target = byKey.get(key) ?? { image: use.image, namespace, sources: [] };
        byKey.set(key, target);
        target.sources.push({
          file,
          kind: request.kind.kind,
          namespace,
          ...(request.name === undefined ? {} : { name: request.name }),
          field: use.field,
        });
      }
    }
  }
  return { targets: [...byKey.values()], skipped };
}

// namesNamespace: does the manifest set metadata.namespace itself (else --namespace applies, as with kubectl -n)?
function namesNamespace(object: unknown): boolean {
  const metadata = isRecord(object) ? object['metadata'] : undefined;
  return isRecord(metadata) && typeof metadata['namespace'] === 'string' && metadata['namespace'] !== '';
}
