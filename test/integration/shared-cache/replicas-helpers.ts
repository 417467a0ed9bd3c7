// Two or more real `portcullis serve` replicas on one real Valkey, in front of a real distribution registry
// behind a counting proxy: the stand of replicas.test.ts.
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { cosignSign, generateCosignKey, type CosignKey } from '../../harness/cosign';
import { startFlakyProxy, type FlakyProxy } from '../../harness/flaky-proxy';
import { pushRandomImage, type PushedImage } from '../../harness/images';
import { startDistribution, type RunningRegistry } from '../../harness/registries';
import { startServe, type RunningServe } from '../../harness/serve';
import { selfSignedCert, type TlsPair } from '../../harness/tls';
import { startValkey, type RunningValkey } from '../../harness/valkey';
import { cosignPolicy } from '../../harness/webhook';

/** The repository every image of the stand is pushed to; the policy governs `<proxy>/replicas/**`. */
export const REPO = 'replicas/app';

export interface ReplicaStand {
  readonly valkey: RunningValkey;
  readonly proxy: FlakyProxy;
  readonly replicas: readonly RunningServe[];
  readonly tls: TlsPair;
  /** Pushes a new image straight to the registry (the proxy does not see it), signed unless `signed` is false. */
  push(tag: string, signed?: boolean): Promise<PushedImage>;
  /** `<proxy>/replicas/app:<tag>` or `@<digest>`: how the pods name an image, through the proxy. */
  named(tagOrDigest: string): string;
  stop(): Promise<void>;
}

/** Starts Valkey, a registry behind a counting proxy, and `count` serve replicas sharing them. */
export async function startReplicaStand(count: number): Promise<ReplicaStand> {
  const valkey = await startValkey();
  const registry: RunningRegistry = await startDistribution();
  const proxy = await startFlakyProxy(registry.host);
  const key: CosignKey = await generateCosignKey();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'portcullis-replicas-'));
  const tls = selfSignedCert(dir, 'serve');
  const policies = path.join(dir, 'policies');
  await mkdir(policies);
  await writeFile(
    path.join(policies, 'p.yaml'),
    cosignPolicy('replicas', [`${proxy.host}/replicas/**`], key.publicKeyPem),
  );
  const hmacKey = path.join(dir, 'hmac-key');
  await writeFile(hmacKey, randomBytes(32), { mode: 0o600 });
  const args = [
    '--policy-dir',
    policies,
    '--valkey-url',
    valkey.url,
    '--valkey-hmac-key-file',
    hmacKey,
    '--insecure-registry',
    proxy.host,
    '--drain-delay',
    '0s',
  ];
  const replicas = await Promise.all(Array.from({ length: count }, () => startServe(tls, args)));
  const named = (ref: string): string =>
    `${proxy.host}/${REPO}${ref.startsWith('sha256:') ? '@' : ':'}${ref}`;
  return {
    valkey,
    proxy,
    replicas,
    tls,
    named,
    push: async (tag, signed = true) => {
      const image = await pushRandomImage(registry.host, REPO, tag);
      if (signed) await cosignSign(key, image.ref, 'legacy');
      return image;
    },
    stop: async () => {
      await Promise.all(replicas.map((r) => r.stop('SIGTERM')));
      await proxy.close();
      await Promise.all([registry.stop(), valkey.stop()]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The proxy's requests while `fn` runs. */
export async function requestsDuring<T>(proxy: FlakyProxy, fn: () => Promise<T>): Promise<[T, string[]]> {
  const before = proxy.requests().length;
  const result = await fn();
  return [result, proxy.requests().slice(before)];
}
