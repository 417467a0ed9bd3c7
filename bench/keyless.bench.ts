// Benchmark: keyless vs key-based cosign verification, through the cosign verifier itself (no webhook, no
// verdict cache) and the registry reads it makes, against loopback registries and the local Sigstore services.
// Run: npm run bench:keyless  (prints three tables; numbers depend on the machine — compare runs on one machine).
import { performance } from 'node:perf_hooks';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { toTrustMaterial } from '@sigstore/verify';
import { parseTrustedRoot } from '../src/policy/authorities/trusted-root';
import type { CompiledCosignAuthority } from '../src/policy/compile/compiled.types';
import type { RegistryReader } from '../src/registry/registry.types';
import { embeddedPublicGoodRoot } from '../src/verifiers/cosign/public-good';
import { createCosignVerifier } from '../src/verifiers/cosign/verifier';
import type { Verifier } from '../src/verifiers/verifier.types';
import { cosignSign, generateCosignKey, type CosignKey } from '../test/harness/cosign';
import { pushRandomImage, type PushedImage } from '../test/harness/images';
import { startDistribution, startReferrersRegistry } from '../test/harness/registries';
import { signKeyless, startSigstore, type Sigstore } from '../test/harness/sigstore';
import { cosignAuthority } from '../test/integration/verifiers/keyless-policy';
import { newRegistryReader, resolveForVerifier } from '../test/integration/verifiers/registry-reader';

/** Images verified per variant and pass (cold, warm); each pass has its own images. */
const IMAGES_PER_PASS = 20;
/** Images verified first, unmeasured, so that the JIT has compiled the hot code before the passes. */
const WARM_UP_IMAGES = 5;
/** Images pushed and signed per variant. */
const IMAGES_PER_VARIANT = WARM_UP_IMAGES + 2 * IMAGES_PER_PASS;
/** cosign runs at once while signing (the machine has 2 cores). */
const SIGNING_CONCURRENCY = 3;
/** Repetitions of each one-off cost (compiling an authority, parsing a TrustedRoot). */
const REPEATS = 200;
const SIGNER = 'alice@example.com';

/** One measured call: wall time and this process's CPU time (user + system), in ms. */
interface Sample {
  readonly wall: number;
  readonly cpu: number;
}

/** One way an image is signed, the authority that must accept it, and what was measured. */
interface Variant {
  readonly name: string;
  readonly host: string;
  readonly repo: string;
  readonly sign: (ref: string) => Promise<void>;
  readonly cosign: Record<string, unknown>;
  readonly images: PushedImage[];
  readonly cold: Sample[];
  readonly warm: Sample[];
}

// sample times one call in wall-clock and CPU terms (CPU of this process only: the registries run apart).
async function sample(fn: () => unknown): Promise<Sample> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  await fn();
  const wall = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { wall, cpu: (used.user + used.system) / 1000 };
}

// repeat samples a call REPEATS times, one after another.
async function repeat(fn: () => unknown): Promise<Sample[]> {
  const samples: Sample[] = [];
  for (let i = 0; i < REPEATS; i++) samples.push(await sample(fn));
  return samples;
}

// percentile picks the nearest-rank p-th percentile of the values.
function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

// median of one measure of the samples.
function median(samples: readonly Sample[], measure: keyof Sample): number {
  return percentile(
    samples.map((s) => s[measure]),
    50,
  );
}

// cells formats the median and p90 of one measure as two table cells.
function cells(samples: readonly Sample[], measure: keyof Sample): string {
  const values = samples.map((s) => s[measure]);
  return `${percentile(values, 50).toFixed(2)} | ${percentile(values, 90).toFixed(2)}`;
}

// newVerifier is what the server builds at start: the cosign verifier over the embedded public-good root.
function newVerifier(): Verifier<CompiledCosignAuthority> {
  return createCosignVerifier({ publicGood: embeddedPublicGoodRoot });
}

// inBatches runs the tasks with at most `width` at a time.
async function inBatches(tasks: (() => Promise<void>)[], width: number): Promise<void> {
  const queue = [...tasks];
  const worker = async (): Promise<void> => {
    for (let task = queue.shift(); task !== undefined; task = queue.shift()) await task();
  };
  await Promise.all(Array.from({ length: width }, worker));
}

// signAll pushes and signs IMAGES_PER_VARIANT images per variant.
async function signAll(variants: readonly Variant[]): Promise<void> {
  const tasks = variants.flatMap((v) =>
    Array.from({ length: IMAGES_PER_VARIANT }, (_, i) => async () => {
      const image = await pushRandomImage(v.host, v.repo, `i${i}`);
      await v.sign(image.ref);
      v.images[i] = image;
    }),
  );
  await inBatches(tasks, SIGNING_CONCURRENCY);
}

// verifyOnce resolves image `i` of a variant (unmeasured), then measures one verification of it.
async function verifyOnce(
  reader: RegistryReader,
  v: Variant,
  i: number,
  authority: CompiledCosignAuthority,
  verifier = newVerifier(),
): Promise<Sample> {
  const { target, ctx } = await resolveForVerifier(reader, v.host, v.repo, v.images[i]?.digest ?? '');
  return sample(() => verifier.verify(target, authority, ctx));
}

// measureVerifications fills each variant's cold and warm samples. Variants, and cold and warm samples, are
// interleaved so that noise from the shared machine and the JIT's progress hit each alike.
async function measureVerifications(variants: readonly Variant[]): Promise<void> {
  const reader = newRegistryReader();
  // Warm: one authority and verifier per variant, whose trust material the warm-up below parses.
  const warmed = variants.map((v) => ({ v, a: cosignAuthority(v.cosign), verifier: newVerifier() }));
  for (let i = 0; i < WARM_UP_IMAGES; i++) {
    for (const { v, a, verifier } of warmed) {
      await verifyOnce(reader, v, i, cosignAuthority(v.cosign));
      await verifyOnce(reader, v, i, a, verifier);
    }
  }
  for (let k = 0; k < IMAGES_PER_PASS; k++) {
    const i = WARM_UP_IMAGES + 2 * k;
    for (const { v, a, verifier } of warmed) {
      // Cold: a freshly compiled authority (a new TrustedRoot object, whose trust material is not parsed yet)
      // and a fresh verifier.
      v.cold.push(await verifyOnce(reader, v, i, cosignAuthority(v.cosign)));
      // Warm: trust material already parsed, and a new image (no verdict cache here in any case).
      v.warm.push(await verifyOnce(reader, v, i + 1, a, verifier));
    }
  }
}

// variantsFor lists what is compared: key vs keyless, in the bundle format and in the legacy `.sig` format.
// prettier-ignore
function variantsFor(sigstore: Sigstore, ociHost: string, distHost: string, cosignKey: CosignKey): Variant[] {
  const keyless = {
    identities: [{ issuer: sigstore.issuers.primary.url, subject: SIGNER }],
    trustedRoot: { data: JSON.stringify(sigstore.trustedRoot) },
  };
  const key = { key: { data: cosignKey.publicKeyPem } };
  const keylessSign = (format: 'bundle' | 'legacy') => (ref: string) =>
    signKeyless(sigstore, { image: ref, token: sigstore.emailToken(SIGNER), format, tlog: format === 'bundle' });
  const variant = (name: string, host: string, repo: string, sign: Variant['sign'], cosign: Record<string, unknown>): Variant =>
    ({ name, host, repo: `bench/${repo}`, sign, cosign, images: [], cold: [], warm: [] });
  return [
    variant('key, v3 bundle', ociHost, 'key-bundle', (ref) => cosignSign(cosignKey, ref, 'v3'), key),
    variant('keyless, v3 bundle (Rekor v2, TSA, SCT)', ociHost, 'keyless-bundle', keylessSign('bundle'), { keyless }),
    variant('key, legacy .sig', distHost, 'key-legacy', (ref) => cosignSign(cosignKey, ref, 'legacy'), key),
    variant('keyless, legacy .sig (TSA, SCT, no tlog)', distHost, 'keyless-legacy', keylessSign('legacy'), { keyless, tlog: { required: false } }),
  ];
}

// printVerifications prints the per-variant table and keyless − key per format.
async function printVerifications(variants: readonly Variant[]): Promise<void> {
  const out: string[] = [
    `| variant (${IMAGES_PER_PASS} images per pass) | compile authority CPU ms p50 | cold wall ms p50 | p90 | cold CPU ms p50 | p90 | warm wall ms p50 | p90 | warm CPU ms p50 | p90 |`,
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const v of variants) {
    const compile = await repeat(() => cosignAuthority(v.cosign));
    out.push(
      `| ${v.name} | ${median(compile, 'cpu').toFixed(3)} | ${cells(v.cold, 'wall')} | ${cells(v.cold, 'cpu')} | ${cells(v.warm, 'wall')} | ${cells(v.warm, 'cpu')} |`,
    );
  }
  out.push('', '| keyless − key, CPU ms (medians) | cold | warm |', '|---|---|---|');
  for (const [key, keyless] of [
    [variants[0], variants[1]],
    [variants[2], variants[3]],
  ] as const) {
    if (key === undefined || keyless === undefined) continue;
    const d = (m: 'cold' | 'warm'): string => (median(keyless[m], 'cpu') - median(key[m], 'cpu')).toFixed(2);
    out.push(`| ${keyless.name} − ${key.name} | ${d('cold')} | ${d('warm')} |`);
  }
  process.stdout.write(`${out.join('\n')}\n\n`);
}

// printTrustCosts prints the one-off cost of a TrustedRoot: parse and check (at compile), trust material (first use).
async function printTrustCosts(roots: readonly (readonly [string, string])[]): Promise<void> {
  const out = [
    `| TrustedRoot (${REPEATS} repeats) | parseTrustedRoot wall ms p50 | CPU ms p50 | toTrustMaterial wall ms p50 | CPU ms p50 |`,
    '|---|---|---|---|---|',
  ];
  for (const [label, text] of roots) {
    const parsed = parseTrustedRoot(text, label);
    if (typeof parsed === 'string') throw new Error(`${label}: ${parsed}`);
    const parse = await repeat(() => parseTrustedRoot(text, label));
    const material = await repeat(() => toTrustMaterial(parsed.root));
    out.push(
      `| ${label} | ${median(parse, 'wall').toFixed(3)} | ${median(parse, 'cpu').toFixed(3)} | ${median(material, 'wall').toFixed(3)} | ${median(material, 'cpu').toFixed(3)} |`,
    );
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

// main starts the registries and Sigstore, signs, measures, and prints the tables.
async function main(): Promise<void> {
  const oci = await startReferrersRegistry();
  const dist = await startDistribution();
  const sigstore = await startSigstore();
  try {
    const variants = variantsFor(sigstore, oci.host, dist.host, await generateCosignKey());
    const started = performance.now();
    await signAll(variants);
    const seconds = ((performance.now() - started) / 1000).toFixed(0);
    process.stderr.write(`signed ${variants.length * IMAGES_PER_VARIANT} images in ${seconds} s\n`);
    await measureVerifications(variants);
    await printVerifications(variants);
    await printTrustCosts([
      ['local (1 Fulcio CA, 1 CT log, 1 Rekor v2, 1 TSA)', JSON.stringify(sigstore.trustedRoot)],
      ['public-good (embedded)', JSON.stringify(TrustedRoot.toJSON(embeddedPublicGoodRoot().root))],
    ]);
  } finally {
    await sigstore.stop();
    await oci.stop();
    await dist.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
