// What kubectl shows of our CRDs on the real API server: `kubectl explain` prints the TypeScript types' doc
// comments (the CRD descriptions are generated from them), and `kubectl get` / `-o wide` print the printer
// columns from the status Portcullis computes (toPolicyStatus, patched through the status subresource here as
// the cluster-mode status writer does).
import { generateKeyPairSync } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { compilePolicy } from '../../src/policy/compile/compile';
import { toPolicyStatus } from '../../src/policy/compile/status';
import { PolicyError } from '../../src/policy/errors';
import { REPO_ROOT } from '../harness/tools';
import { loadE2E } from './harness/env';
import { kubectlFor } from './harness/kubectl';

const e2e = loadE2E();
const { ok } = kubectlFor(e2e);
const CRD_DIR = path.join(REPO_ROOT, 'manifests', 'crds');
const CRD_TYPES_DIR = path.join(REPO_ROOT, 'src', 'policy', 'crd');
/** crd.types.ts and the *.types.ts files it re-exports (cosign, placement, simple signing), as one text. */
const TYPES = readdirSync(CRD_TYPES_DIR)
  .filter((f) => f.endsWith('.types.ts'))
  .map((f) => readFileSync(path.join(CRD_TYPES_DIR, f), 'utf8'))
  .join('\n');
const SUFFIX = Math.random().toString(36).slice(2, 8);
const READY = `explain-ready-${SUFFIX}`;
const BROKEN = `explain-broken-${SUFFIX}`;

// flat collapses whitespace, so text kubectl wrapped at its line width compares with the source.
function flat(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

// docOf reads the doc comment above `field` inside `export interface name { … }` of the CRD types.
function docOf(name: string, field: string): string {
  const start = TYPES.indexOf(`export interface ${name} `);
  const body = TYPES.slice(start, TYPES.indexOf('\n}\n', start));
  const match = new RegExp(`/\\*\\*((?:(?!\\*/)[\\s\\S])*)\\*/\\n\\s+${field}\\??:`).exec(body);
  if (start < 0 || match?.[1] === undefined) throw new Error(`no doc comment on ${name}.${field}`);
  return flat(match[1].replace(/^\s*\* ?/gm, ' '));
}

// policy builds a ClusterImagePolicy with two globs and two key authorities (keys given as PEM text).
function policy(name: string, keys: readonly [string, string]): Record<string, unknown> {
  return {
    apiVersion: 'portcullis.dev/v1alpha1',
    kind: 'ClusterImagePolicy',
    metadata: { name },
    spec: {
      images: [{ glob: `explain.invalid/${SUFFIX}/a/**` }, { glob: `explain.invalid/${SUFFIX}/b/**` }],
      authorities: [
        { name: 'release', cosign: { key: { data: keys[0] } } },
        { name: 'backup', cosign: { key: { data: keys[1] } } },
      ],
      threshold: 2,
    },
  };
}

// writeStatus stores the status Portcullis computes for the policy as the API server holds it.
async function writeStatus(obj: Record<string, unknown>): Promise<void> {
  const name = (obj.metadata as { name: string }).name;
  const stored = JSON.parse((await ok(['get', 'clusterimagepolicy', name, '-o', 'json'])).stdout);
  let outcome: Parameters<typeof toPolicyStatus>[1];
  try {
    outcome = { policy: compilePolicy(stored, { secrets: { get: () => undefined } }) };
  } catch (e) {
    if (!(e instanceof PolicyError)) throw e;
    outcome = { error: e };
  }
  const status = toPolicyStatus(stored.metadata.generation, outcome, new Date(), undefined, stored.spec);
  await ok([
    'patch',
    'clusterimagepolicy',
    name,
    '--subresource=status',
    '--type=merge',
    '-p',
    JSON.stringify({ status }),
  ]);
}

// table runs kubectl get and cuts its rows at the header's column offsets (an empty cell stays a cell).
async function table(args: readonly string[]): Promise<Record<string, string>[]> {
  const { stdout } = await ok(['get', 'clusterimagepolicies', READY, BROKEN, ...args]);
  const [header = '', ...lines] = stdout.trimEnd().split('\n');
  const columns = [...header.matchAll(/\S+/g)].map((m) => ({ name: m[0], at: m.index }));
  return [
    Object.fromEntries(columns.map((c) => [c.name, c.name])),
    ...lines.map((line) =>
      Object.fromEntries(
        columns.map((c, i) => [c.name, line.slice(c.at, columns[i + 1]?.at ?? line.length).trim()]),
      ),
    ),
  ];
}

beforeAll(async () => {
  await ok(['apply', '--server-side', '-f', CRD_DIR]);
  await ok(['wait', '--for=condition=Established', '--timeout=60s', '-f', CRD_DIR]);
  const pem = (): string =>
    generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({
      type: 'spki',
      format: 'pem',
    }) as string;
  const ready = policy(READY, [pem(), pem()]);
  const broken = policy(BROKEN, [
    pem(),
    '-----BEGIN PUBLIC KEY-----\nbm90IGEga2V5\n-----END PUBLIC KEY-----\n',
  ]);
  await ok(['apply', '-f', '-'], [ready, broken].map((o) => `---\n${stringify(o)}`).join(''));
  await writeStatus(ready);
  await writeStatus(broken);
});

afterAll(async () => {
  await ok(['delete', 'clusterimagepolicy', READY, BROKEN, '--ignore-not-found', '--wait=false']);
});

describe('kubectl explain', () => {
  test.each([
    [
      'clusterimagepolicy.spec.authorities.cosign',
      'Authority',
      'cosign',
      'CosignAuthority',
      ['attestations', 'key', 'keyless', 'tlog'],
    ],
    [
      'imagepolicy.spec.registry',
      'ImagePolicySpec',
      'registry',
      'RegistrySpec',
      ['credentials', 'maxStaleness', 'onError'],
    ],
  ])(
    '%s prints the doc comments of the field and of each field under it',
    async (field, parent, name, type, children) => {
      const { stdout } = await ok(['explain', field]);
      const text = flat(stdout);
      expect(text).toContain(`DESCRIPTION: ${docOf(parent, name)}`);
      for (const child of children)
        expect(text).toMatch(new RegExp(`${child} <[^>]+> (?:enum: .*?)?${escape(docOf(type, child))}`));
    },
  );
});

describe('kubectl get clusterimagepolicies', () => {
  const globs = `explain.invalid/${SUFFIX}/a/**, explain.invalid/${SUFFIX}/b/**`;

  test('shows the globs, READY and, when not ready, the REASON', async () => {
    const [header, ...rows] = await table([]);
    expect(Object.keys(header ?? {})).toEqual(['NAME', 'MODE', 'IMAGES', 'READY', 'REASON', 'AGE']);
    expect(rows).toEqual([
      { NAME: READY, MODE: 'enforce', IMAGES: globs, READY: 'True', REASON: '', AGE: expect.any(String) },
      {
        NAME: BROKEN,
        MODE: 'enforce',
        IMAGES: globs,
        READY: 'False',
        REASON: 'POLICY_KEY_INVALID',
        AGE: expect.any(String),
      },
    ]);
  });

  test('-o wide adds THRESHOLD and AUTHORITIES', async () => {
    const [header, ...rows] = await table(['-o', 'wide']);
    expect(Object.keys(header ?? {})).toEqual([
      'NAME',
      'MODE',
      'IMAGES',
      'READY',
      'REASON',
      'AGE',
      'THRESHOLD',
      'AUTHORITIES',
    ]);
    expect(rows).toHaveLength(2);
    for (const row of rows)
      expect(row).toMatchObject({
        IMAGES: globs,
        THRESHOLD: '2',
        AUTHORITIES: 'release(cosign), backup(cosign)',
      });
  });
});

// escape quotes text for a RegExp.
function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
