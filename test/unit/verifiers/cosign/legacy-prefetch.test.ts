// Legacy `.sig` layers: their payload blobs are fetched a few at a time (LEGACY_BLOB_PREFETCH), not one after
// the other, so that an image with several signatures costs about one blob round trip, in layer order.
import type { Descriptor, RegistryRequestContext } from '../../../../src/registry/registry.types';
import type { CompiledCosignAuthority } from '../../../../src/policy/compile/compiled.types';
import { LEGACY_BLOB_PREFETCH } from '../../../../src/verifiers/cosign/limits';
import { cosignVerifier } from '../../../../src/verifiers/cosign/verifier';
import { contextFor, targetFor } from '../context';
import { legacyLayer, pushLegacy, simpleSigningPayload, keyAuthority } from '../cosign-fixtures';
import { generateTestKey } from '../keys';
import { MemoryRegistry, sha256Digest } from '../memory-registry';

const DIGEST = sha256Digest(Buffer.from('image'));
const ours = generateTestKey('p256');
const theirs = generateTestKey('p256');
const authority: CompiledCosignAuthority = keyAuthority(ours);
const target = targetFor('registry.example/team/app', DIGEST, 'registry.example/team/app:v1');

/** A memory registry whose blobs take `delayMs` and which records the most blob fetches in flight at once. */
class SlowBlobs extends MemoryRegistry {
  inFlight = 0;
  maxInFlight = 0;
  failing = new Set<string>();

  constructor(private readonly delayMs: number) {
    super();
  }

  override async getBlob(
    repo: Parameters<MemoryRegistry['getBlob']>[0],
    descriptor: Descriptor,
    ctx: RegistryRequestContext,
    maxBytes: number,
  ): Promise<Buffer> {
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await new Promise((r) => setTimeout(r, this.delayMs));
      if (this.failing.has(descriptor.digest)) throw new Error('blob fetch failed');
      return await super.getBlob(repo, descriptor, ctx, maxBytes);
    } finally {
      this.inFlight -= 1;
    }
  }
}

let serial = 0;
// payload is a simple-signing payload with a distinct optional part, so that every layer is its own blob.
function payload(): Buffer {
  const doc = JSON.parse(simpleSigningPayload(DIGEST).toString()) as Record<string, unknown>;
  return Buffer.from(JSON.stringify({ ...doc, optional: { serial: String((serial += 1)) } }));
}

// layers makes n layers by another key, then one by ours.
function layers(n: number) {
  return [...Array.from({ length: n }, () => legacyLayer(theirs, payload())), legacyLayer(ours, payload())];
}

it('fetches the payloads of several layers at once, at most LEGACY_BLOB_PREFETCH, and finds the match', async () => {
  const reg = new SlowBlobs(30);
  pushLegacy(reg, DIGEST, layers(LEGACY_BLOB_PREFETCH + 3));
  const evidence = await cosignVerifier.verify(target, authority, contextFor(reg));
  expect(evidence.summary).toMatch(new RegExp(`layer ${LEGACY_BLOB_PREFETCH + 4} `));
  expect(reg.maxInFlight).toBeGreaterThan(1);
  expect(reg.maxInFlight).toBeLessThanOrEqual(LEGACY_BLOB_PREFETCH);
});

it('does not fetch far past a matching first layer, and a failed prefetch it never needed is harmless', async () => {
  const reg = new SlowBlobs(5);
  const all = [legacyLayer(ours, payload()), ...layers(LEGACY_BLOB_PREFETCH + 3)];
  pushLegacy(reg, DIGEST, all);
  for (const l of all.slice(1)) reg.failing.add(sha256Digest(l.payload));
  const unhandled: unknown[] = [];
  const onUnhandled = (e: unknown): void => void unhandled.push(e);
  process.on('unhandledRejection', onUnhandled);
  try {
    const evidence = await cosignVerifier.verify(target, authority, contextFor(reg));
    expect(evidence.summary).toMatch(/layer 1 /);
    await new Promise((r) => setTimeout(r, 50));
    expect(reg.count('getBlob')).toBeLessThanOrEqual(LEGACY_BLOB_PREFETCH);
    expect(unhandled).toEqual([]);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});
