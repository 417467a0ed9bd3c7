// An in-memory stand-in for the API calls of the TLS rotator: one Secret with resourceVersion semantics
// (a stale update gets HTTP 409) and webhook configurations patched with JSON patch (test + add).
import type {
  V1MutatingWebhookConfiguration,
  V1Secret,
  V1ValidatingWebhookConfiguration,
} from '@kubernetes/client-node';
import type { TlsKubeClients } from '../../../src/tls';

type Config = V1ValidatingWebhookConfiguration | V1MutatingWebhookConfiguration;

// apiError mimics client-node's ApiException as apiStatusOf reads it.
function apiError(code: number): Error & { code: number } {
  return Object.assign(new Error(`HTTP ${code}`), { code });
}

// copy returns a deep copy, as every API answer is a fresh object.
function copy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** The fake cluster and the counts a test asserts on. */
export class FakeCluster {
  secret: V1Secret | undefined;
  readonly configs = new Map<string, Config>();
  secretWrites = 0;
  conflicts = 0;
  private rv = 1;

  constructor(secret: V1Secret | undefined, configNames: { validating: string; mutating: string }) {
    this.secret = secret && { ...secret, metadata: { ...secret.metadata, resourceVersion: '1' } };
    for (const [kind, name] of Object.entries(configNames)) {
      this.configs.set(`${kind}/${name}`, {
        metadata: { name },
        webhooks: [
          { name: `${kind}.a.test`, clientConfig: { url: 'https://x/a' } },
          { name: `${kind}.b.test`, clientConfig: { url: 'https://x/b' } },
        ],
      } as Config);
    }
  }

  /** The caBundle (decoded) of every webhook of both configurations. */
  bundles(): string[] {
    return [...this.configs.values()].flatMap((c) =>
      (c.webhooks ?? []).map((w) => Buffer.from(w.clientConfig.caBundle ?? '', 'base64').toString('utf8')),
    );
  }

  /** Sets every webhook's caBundle (what the chart renders at install). */
  setBundles(pem: string): void {
    for (const c of this.configs.values())
      for (const w of c.webhooks ?? []) w.clientConfig.caBundle = Buffer.from(pem).toString('base64');
  }

  // config finds a configuration or answers 404.
  private config(kind: string, name: string): Config {
    const c = this.configs.get(`${kind}/${name}`);
    if (c === undefined) throw apiError(404);
    return c;
  }

  // patch applies a JSON patch of `test` and `add` operations on /webhooks/N/... paths.
  private patch(kind: string, name: string, body: { op: string; path: string; value: string }[]): Config {
    const target = copy(this.config(kind, name)) as unknown as Record<string, unknown>;
    for (const { op, path, value } of body) {
      const keys = path.split('/').slice(1);
      const last = keys.pop() as string;
      let node = target as Record<string, unknown>;
      for (const k of keys) node = node[k] as Record<string, unknown>;
      if (op === 'test' && node[last] !== value) throw apiError(422);
      if (op === 'add') node[last] = value;
    }
    this.configs.set(`${kind}/${name}`, target as unknown as Config);
    return copy(target as unknown as Config);
  }

  /** The client-node surface the rotator uses, answering from this fake. */
  clients(): TlsKubeClients {
    return {
      core: {
        readNamespacedSecret: async () => {
          if (this.secret === undefined) throw apiError(404);
          return copy(this.secret);
        },
        replaceNamespacedSecret: async ({ body }: { body: V1Secret }) => {
          if (body.metadata?.resourceVersion !== this.secret?.metadata?.resourceVersion) {
            this.conflicts++;
            throw apiError(409);
          }
          this.rv++;
          this.secretWrites++;
          this.secret = {
            ...copy(body),
            metadata: { ...copy(body.metadata), resourceVersion: String(this.rv) },
          };
          return copy(this.secret);
        },
      } as unknown as TlsKubeClients['core'],
      admission: {
        readValidatingWebhookConfiguration: async ({ name }: { name: string }) =>
          copy(this.config('validating', name)),
        readMutatingWebhookConfiguration: async ({ name }: { name: string }) =>
          copy(this.config('mutating', name)),
        patchValidatingWebhookConfiguration: async ({ name, body }: { name: string; body: never }) =>
          this.patch('validating', name, body),
        patchMutatingWebhookConfiguration: async ({ name, body }: { name: string; body: never }) =>
          this.patch('mutating', name, body),
      } as unknown as TlsKubeClients['admission'],
    };
  }
}
