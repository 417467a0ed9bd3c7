// The stand of the cluster benchmarks (rollout, outage, restart, cold): a real registry behind the counting
// proxy, cosign keys, a policy folder, and real `portcullis serve` replicas (TLS, through bin/portcullis.js).
// Images are pushed and signed straight to the registry, so the proxy sees only the webhook's requests.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { cosignSign, generateCosignKey, type CosignKey } from '../../test/harness/cosign';
import { startFlakyProxy, type FlakyProxy } from '../../test/harness/flaky-proxy';
import { pushRandomImage, type PushedImage } from '../../test/harness/images';
import {
  startDistribution,
  startReferrersRegistry,
  type RunningRegistry,
} from '../../test/harness/registries';
import { startServe, type RunningServe } from '../../test/harness/serve';
import { selfSignedCert, type TlsPair } from '../../test/harness/tls';
import { cosignPolicy } from '../../test/harness/webhook';

/** The repository of every bench image; the policy governs `<proxy>/bench/**`. */
export const REPO = 'bench/app';

export interface ClusterStand {
  readonly registry: RunningRegistry;
  readonly proxy: FlakyProxy;
  readonly dir: string;
  /** The serving certificate of the replicas (its PEM is also what clients trust). */
  readonly tls: TlsPair;
  /** The signing keys; the policy trusts keys[0] unless written otherwise. */
  readonly keys: readonly CosignKey[];
  /** Writes the policy folder `name` with one key policy (keys[keyIndex]), `extraSpec` lines under spec. */
  policyDir(name: string, options?: { keyIndex?: number; extraSpec?: readonly string[] }): Promise<string>;
  /** Pushes a new image; signs it with the keys at `signers` (default [0]; [] leaves it unsigned), in `format`. */
  push(
    tag: string,
    options?: { signers?: readonly number[]; format?: 'legacy' | 'v3' },
  ): Promise<PushedImage>;
  /** How the pods name an image: through the proxy, by `:tag` or `@digest`. */
  named(tagOrDigest: string): string;
  /** Starts one replica with `args` after the TLS flags, trusting the proxy as an insecure registry. */
  startReplica(args: readonly string[]): Promise<RunningServe>;
  stop(): Promise<void>;
}

/** Starts a registry (distribution 2.8, or go-containerregistry with the referrers API) behind the proxy. */
export async function startClusterStand(
  options: { keys?: number; referrers?: boolean } = {},
): Promise<ClusterStand> {
  const registry = await (options.referrers ? startReferrersRegistry() : startDistribution());
  const proxy = await startFlakyProxy(registry.host);
  const keys = await Promise.all(Array.from({ length: options.keys ?? 1 }, () => generateCosignKey()));
  const dir = await mkdtemp(path.join(os.tmpdir(), 'portcullis-cluster-bench-'));
  const tls = selfSignedCert(dir, 'serve');
  const replicas: RunningServe[] = [];
  const named = (ref: string): string =>
    `${proxy.host}/${REPO}${ref.startsWith('sha256:') ? '@' : ':'}${ref}`;
  return {
    registry,
    proxy,
    dir,
    tls,
    keys,
    named,
    policyDir: async (name, o = {}) => {
      const folder = path.join(dir, name);
      await mkdir(folder, { recursive: true });
      const key = keys[o.keyIndex ?? 0] as CosignKey;
      const yaml = cosignPolicy('bench', [`${proxy.host}/bench/**`], key.publicKeyPem).replace(
        '\nspec:\n',
        `\nspec:\n${(o.extraSpec ?? []).map((l) => `  ${l}\n`).join('')}`,
      );
      await writeFile(path.join(folder, 'policy.yaml'), yaml);
      return folder;
    },
    push: async (tag, o = {}) => {
      const image = await pushRandomImage(registry.host, REPO, tag);
      for (const i of o.signers ?? [0])
        await cosignSign(keys[i] as CosignKey, image.ref, o.format ?? 'legacy');
      return image;
    },
    startReplica: async (args) => {
      const replica = await startServe(tls, [...args, '--insecure-registry', proxy.host]);
      replicas.push(replica);
      return replica;
    },
    stop: async () => {
      await Promise.all(replicas.map((r) => r.stop('SIGTERM')));
      await proxy.close();
      await registry.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The proxy's requests while `fn` runs, with fn's result. */
export async function requestsDuring<T>(proxy: FlakyProxy, fn: () => Promise<T>): Promise<[T, string[]]> {
  const before = proxy.requests().length;
  const result = await fn();
  return [result, proxy.requests().slice(before)];
}

/** Median of numbers (the mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  const s = [...values].sort((x, y) => x - y);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? NaN) : ((s[mid - 1] ?? NaN) + (s[mid] ?? NaN)) / 2;
}

/** `--flag N` from argv, or the fallback. */
export function numberFlag(argv: readonly string[], flag: string, fallback: number): number {
  const i = argv.indexOf(flag);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
}
