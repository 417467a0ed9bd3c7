// A Valkey that speaks only TLS: rediss:// with the server's CA works; without that CA the certificate is not
// trusted, and the cache falls back instead of throwing or talking in the clear.
import { mkdtemp, rm } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { selfSignedCert, type TlsPair } from '../../harness/tls';
import { startValkey, type RunningValkey } from '../../harness/valkey';
import { newCache } from './helpers';

let dir: string;
let pair: TlsPair;
let valkey: RunningValkey;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'portcullis-valkey-tls-'));
  pair = selfSignedCert(dir, 'valkey');
  valkey = await startValkey({ tls: { certFile: pair.certFile, keyFile: pair.keyFile } });
});

afterAll(async () => {
  await valkey.stop();
  await rm(dir, { recursive: true, force: true });
});

it('round-trips over rediss:// when the CA is given', async () => {
  expect(valkey.url).toMatch(/^rediss:\/\//);
  const t = await newCache(valkey.url, { ca: pair.cert });
  try {
    expect(t.cache.connected()).toBe(true);
    await t.cache.set('verdict', 'k', 'v', 5_000);
    expect(await t.cache.get('verdict', 'k')).toBe('v');
  } finally {
    await t.cache.close();
  }
});

it('does not connect to a certificate it does not trust, and falls back', async () => {
  const t = await newCache(valkey.url, { wait: false });
  try {
    await new Promise((r) => setTimeout(r, 300));
    expect(t.cache.connected()).toBe(false);
    await expect(t.cache.get('verdict', 'k')).resolves.toBeUndefined();
    expect(t.logs().some((l) => String(l.error).includes('self-signed certificate'))).toBe(true);
  } finally {
    await t.cache.close();
  }
});
