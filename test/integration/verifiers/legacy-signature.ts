// Test helper: read a cosign v2 legacy `.sig` signature of an image (its manifest, payload and annotations) and
// push it back with changed annotations, to add or tamper with its transparency-log and timestamp evidence.
import { X509Certificate } from 'node:crypto';
import type { RekorV1Log } from '../../harness/sigstore/rekor-v1-log';
import { getBlob, getManifest, putManifest, sigTag, type Manifest } from './oci-push';

const SIGNATURE_ANNOTATION = 'dev.cosignproject.cosign/signature';
const CERTIFICATE_ANNOTATION = 'dev.sigstore.cosign/certificate';
/** cosign's annotation holding a Rekor v1 entry and its SET. */
export const REKOR_BUNDLE_ANNOTATION = 'dev.sigstore.cosign/bundle';

/** One legacy `.sig` signature as cosign v2 pushed it. */
export interface LegacySignature {
  readonly host: string;
  readonly repo: string;
  /** The digest of the signed image. */
  readonly digest: string;
  readonly manifest: Manifest;
  readonly payload: Buffer;
  readonly signatureB64: string;
  readonly certificatePem: string;
  readonly annotations: Readonly<Record<string, string>>;
}

/** Reads the single-layer `.sig` signature of `digest`. */
export async function readLegacySignature(
  host: string,
  repo: string,
  digest: string,
): Promise<LegacySignature> {
  const manifest = await getManifest(host, repo, sigTag(digest));
  const layer = manifest.layers[0];
  if (layer === undefined || manifest.layers.length !== 1) throw new Error('expected one .sig layer');
  const annotations = layer.annotations ?? {};
  const signatureB64 = annotations[SIGNATURE_ANNOTATION];
  const certificatePem = annotations[CERTIFICATE_ANNOTATION];
  if (signatureB64 === undefined || certificatePem === undefined) throw new Error('not a keyless .sig');
  const payload = await getBlob(host, repo, layer.digest);
  return { host, repo, digest, manifest, payload, signatureB64, certificatePem, annotations };
}

/** Pushes `sig` back as the `.sig` of its image with `changes` to its annotations (undefined removes one). */
export async function pushLegacyAnnotations(
  sig: LegacySignature,
  changes: Readonly<Record<string, string | undefined>>,
): Promise<void> {
  const merged: Record<string, string | undefined> = { ...sig.annotations, ...changes };
  const annotations = Object.fromEntries(
    Object.entries(merged).filter((e): e is [string, string] => e[1] !== undefined),
  );
  const [layer] = sig.manifest.layers;
  await putManifest(sig.host, sig.repo, sigTag(sig.digest), {
    ...sig.manifest,
    layers: [{ ...layer, annotations }],
  });
}

/** The notAfter of a certificate (PEM, or DER bytes). */
export function notAfterOf(certificate: string | Buffer): Date {
  return new Date(new X509Certificate(certificate).validTo);
}

/**
 * Gives every layer of the `.sig` of `digest` that has no log entry yet one from `log`, as a key-signed entry
 * (the hashedrekord names `publicKeyPem`): what `cosign sign --key` with Rekor v1 uploading would have pushed.
 */
export async function logKeySignatures(
  host: string,
  repo: string,
  digest: string,
  publicKeyPem: string,
  log: RekorV1Log,
): Promise<void> {
  const manifest = await getManifest(host, repo, sigTag(digest));
  const layers = await Promise.all(
    manifest.layers.map(async (layer) => {
      const annotations = layer.annotations ?? {};
      const signatureB64 = annotations[SIGNATURE_ANNOTATION];
      if (annotations[REKOR_BUNDLE_ANNOTATION] !== undefined || signatureB64 === undefined) return layer;
      const payload = await getBlob(host, repo, layer.digest);
      const entry = log.annotate({ payload, signatureB64, certificatePem: publicKeyPem });
      return { ...layer, annotations: { ...annotations, [REKOR_BUNDLE_ANNOTATION]: entry } };
    }),
  );
  await putManifest(host, repo, sigTag(digest), { ...manifest, layers });
}
