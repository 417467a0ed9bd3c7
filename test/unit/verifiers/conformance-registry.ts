// Test helper: serves the third-party cosign conformance fixtures (vendored under test/fixtures/conformance,
// see its README) through the in-memory RegistryReader, in the layouts the cases describe.
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { createPublicKey } from 'node:crypto';
import type { CompiledPublicKey } from '../../../src/policy/compile/compiled.types';
import { compileKey } from './keys';
import { MemoryRegistry } from './memory-registry';

/** The vendored third-party conformance data (test/fixtures/conformance), for every conformance test. */
export const CONFORMANCE_DIR = path.join(__dirname, '..', '..', 'fixtures', 'conformance');
export const COSIGN_DIR = path.join(CONFORMANCE_DIR, 'cosign');

export interface ConformanceCase {
  readonly id: string;
  readonly format?: string;
  readonly check?: string;
  readonly image: string | null;
  readonly expect: 'valid' | 'invalid';
  readonly reason: string;
  readonly files: readonly string[];
  readonly signatures?: readonly string[];
  readonly bundle?: string;
  readonly trust: {
    readonly authorities?: readonly {
      readonly name: string;
      readonly cosign: { readonly key?: string; readonly keyless?: unknown };
    }[];
    readonly threshold?: number;
    readonly tlog?: { readonly required?: boolean };
  };
}

// loadCosignCases reads the cosign cases.json.
export function loadCosignCases(): ConformanceCase[] {
  return JSON.parse(readFileSync(path.join(COSIGN_DIR, 'cases.json'), 'utf8')) as ConformanceCase[];
}

// loadKey compiles a PEM public key file of a case.
export function loadKey(file: string): CompiledPublicKey {
  return compileKey(createPublicKey(readFileSync(path.join(COSIGN_DIR, file))));
}

// splitImage turns `host/repo[:tag]@sha256:hex` into its name and digest.
export function splitImage(image: string): { name: string; digest: string } {
  const [ref, digest] = image.split('@') as [string, string];
  const lastSlash = ref.lastIndexOf('/');
  const colon = ref.indexOf(':', lastSlash);
  return { name: colon === -1 ? ref : ref.slice(0, colon), digest };
}

// connaisseurRegistry serves Connaisseur's mock-registry folder: manifests/<ref>.json and blobs/<digest>.json.
export function connaisseurRegistry(files: readonly string[]): MemoryRegistry {
  const reg = new MemoryRegistry();
  for (const file of files) {
    const bytes = readFileSync(path.join(COSIGN_DIR, file));
    const base = path.basename(file, '.json');
    if (file.includes('/manifests/')) {
      reg.putManifest(JSON.parse(bytes.toString('utf8')), base, bytes);
    } else if (file.includes('/blobs/')) {
      const stored = reg.putBlob(bytes, 'application/octet-stream');
      if (stored.digest !== base) throw new Error(`fixture ${file} does not hash to its name`);
    }
  }
  return reg;
}

/** The bytes that open every containers/image `dir:` signature file. */
const SIGSTORE_JSON_PREFIX = Buffer.from('\x00sigstore-json\n', 'latin1');

// containersImageRegistry serves a containers/image `dir:` image, its signature-N files turned into the
// `.sig` manifest cosign would have pushed: one layer per signature with the same media type and annotations.
export function containersImageRegistry(c: ConformanceCase): { reg: MemoryRegistry; digest: string } {
  const reg = new MemoryRegistry();
  const manifestFile = c.files.find((f) => f.endsWith('/manifest.json')) as string;
  const manifestBytes = readFileSync(path.join(COSIGN_DIR, manifestFile));
  const digest = reg.putManifest(JSON.parse(manifestBytes.toString('utf8')), undefined, manifestBytes).digest;
  const dir = path.dirname(manifestFile);
  const signatureFiles =
    c.signatures ??
    readdirSync(path.join(COSIGN_DIR, dir))
      .filter((f) => /^signature-\d+$/.test(f))
      .sort()
      .map((f) => `${dir}/${f}`);
  const layers = signatureFiles.map((file) => {
    const bytes = readFileSync(path.join(COSIGN_DIR, file));
    if (!bytes.subarray(0, SIGSTORE_JSON_PREFIX.length).equals(SIGSTORE_JSON_PREFIX)) {
      throw new Error(`${file} is not a sigstore-json signature`);
    }
    const sig = JSON.parse(bytes.subarray(SIGSTORE_JSON_PREFIX.length).toString('utf8')) as {
      mimeType: string;
      payload: string;
      annotations: Record<string, string>;
    };
    return reg.putBlob(Buffer.from(sig.payload, 'base64'), sig.mimeType, sig.annotations);
  });
  const sigManifest = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', layers };
  reg.putManifest(sigManifest, `${digest.replace(':', '-')}.sig`);
  return { reg, digest };
}
