// `portcullis policy from-portieris` round trip on Portieris's own e2e test policies
// (test/fixtures/migration/portieris/): each is converted by the real CLI and the output judges images signed with
// the real notary CLI against a real notary-server (Docker Content Trust, Notary v1), deciding as Portieris's docs
// say the original does.
//
// What is adapted in each fixture, and only that:
// - the registry host in `repositories[].name` (`de.icr.io`, `icr.io`) becomes the local registry;
// - `trust.trustServer` names the local notary-server. Where the fixture gives none (icr.io), Portieris derives
//   IBM's notary from the registry; a local registry has no such notary, so it is named.
// Keys: the repositories' root keys are the ones `notary init` made here (passed as --notary-root-key, since
// Portieris trusts them on first use), and the signers signer1/signer2 are delegation roles made here; the
// Secrets signer1pubkey/signer2pubkey of Portieris's e2e tests hold those names (test/e2e/testdata/secret).
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadHarness, type Harness } from '../../harness/env';
import { pushRandomImage } from '../../harness/images';
import { NotaryCli, startNotaryServer, type NotaryServer } from '../../harness/notary';
import { convertInto, decide, writePeerInput } from '../../harness/round-trip';

const FIXTURES = path.join(__dirname, '..', '..', 'fixtures', 'migration', 'portieris');
/** The two repositories the fixtures name, on the local registry. */
const REPOS = { authn: 'testing-authn/nginx', cise: 'cise/nginx' } as const;
/** Tag → the delegation roles that sign it; `releases` is where `docker trust sign` puts a tag. */
const SIGNED_IN = {
  released: ['targets/releases'],
  s1: ['targets/releases', 'targets/signer1'],
  s2: ['targets/releases', 'targets/signer2'],
  s12: ['targets/releases', 'targets/signer1', 'targets/signer2'],
  /** Signed in a delegation only: Portieris's admission passes it (trust.go), Portcullis does not. */
  onlyS1: ['targets/signer1'],
  unsigned: [],
} as const satisfies Record<string, readonly string[]>;
type Tag = keyof typeof SIGNED_IN;
/** The signer names, and the user's consent that Portcullis does not pin the signer keys (reported). */
const SIGNERS = [
  '--signer',
  'signer1pubkey=signer1',
  '--signer',
  'signer2pubkey=signer2',
  '--accept-unpinned-signers',
];

let h: Harness;
let server: NotaryServer;
let cli: NotaryCli;
let rootKeyFlags: string[];
const refs = { authn: {}, cise: {} } as Record<keyof typeof REPOS, Record<Tag, string>>;

beforeAll(async () => {
  h = loadHarness();
  server = await startNotaryServer();
  cli = await NotaryCli.create(server.url);
  rootKeyFlags = [];
  for (const [id, repo] of Object.entries(REPOS) as [keyof typeof REPOS, string][]) {
    const gun = `${h.referrers.host}/${repo}`;
    await cli.init(gun);
    for (const role of ['targets/releases', 'targets/signer1', 'targets/signer2'])
      await cli.addDelegation(gun, role);
    for (const [tag, roles] of Object.entries(SIGNED_IN) as [Tag, readonly string[]][]) {
      const image = await pushRandomImage(h.referrers.host, repo, tag);
      if (roles.length > 0) await cli.addHash(gun, tag, image.size, image.digest, roles);
      refs[id][tag] = `${gun}:${tag}`;
    }
    const pem = Buffer.from(await cli.rootKeyBase64(gun), 'base64').toString('utf8');
    rootKeyFlags.push('--notary-root-key', await writePeerInput(`${id}-root.pem`, pem));
  }
}, 600_000);

afterAll(async () => {
  await server?.stop();
  await cli?.cleanup();
});

// adapt moves a fixture to the local registry and notary-server, and changes nothing else.
function adapt(fixture: string): string {
  const text = readFileSync(path.join(FIXTURES, fixture), 'utf8');
  return text
    .replace(/"(?:de\.)?icr\.io\//g, `"${h.referrers.host}/`)
    .replace(/trustServer: "[^"]*"/g, `trustServer: "${server.url}"`)
    .replace(/^( *)enabled: true\n(?!\1trustServer)/gm, `$1enabled: true\n$1trustServer: "${server.url}"\n`);
}

// run converts the adapted fixtures (one input, several documents) and judges `images` in `namespace`.
async function run(
  fixtures: readonly string[],
  images: readonly string[],
  flags: { convert?: string[]; verify?: string[] } = {},
): Promise<string[]> {
  const input = await writePeerInput('policies.yaml', fixtures.map(adapt).join('\n---\n'));
  const { policyDir, run: converted } = await convertInto('from-portieris', input, [
    ...rootKeyFlags,
    ...SIGNERS,
    ...(flags.convert ?? []),
  ]);
  expect({ code: converted.code, stderr: converted.stderr }).toEqual({
    code: 0,
    stderr: expect.not.stringMatching(/error/i),
  });
  const decisions = await decide(policyDir, images, [
    '--insecure-registry',
    h.referrers.host,
    ...(flags.verify ?? []),
  ]);
  return decisions.map((d) => (d.allowed ? 'allowed' : 'denied'));
}

/*
 * Portieris's semantics, from its POLICIES.md (github.com/IBM/portieris) and IBM's "Portieris image security
 * enforcement" docs that describe the same fields:
 * - `trust.enabled: true` allows "only images that are signed for content trust";
 * - `trust.signerSecrets`: "If you want to allow only images that are signed by particular users, specify the
 *   Kubernetes secret with the signer name" (each listed signer must have signed);
 * - "If image policy resources exist in a namespace, the policies from those image policy resources are used
 *   exclusively. If no match exists for the workload image in `ImagePolicy`, cluster image policy resources,
 *   `ClusterImagePolicy`, are not examined";
 * - "if no policy matches the workload image, deployment is denied"; an empty policy admits with no checks.
 */
describe('portcullis policy from-portieris, round trip on Portieris e2e test policies', () => {
  it.each<[string, Partial<Record<Tag, string>>]>([
    ['imagepolicy-allow-signed-custom.yaml', { released: 'allowed', s1: 'allowed', unsigned: 'denied' }],
    [
      'imagepolicy-pinned-signer1.yaml',
      { s1: 'allowed', s12: 'allowed', s2: 'denied', released: 'denied', unsigned: 'denied' },
    ],
    ['imagepolicy-pinned-multi.yaml', { s12: 'allowed', s1: 'denied', s2: 'denied', unsigned: 'denied' }],
  ])('%s converts, and the output decides as Portieris documents', async (fixture, expected) => {
    const tags = Object.keys(expected) as Tag[];
    const got = await run(
      [fixture],
      tags.map((t) => refs.authn[t]),
    );
    expect(Object.fromEntries(tags.map((t, i) => [t, got[i]]))).toEqual(expected);
  });

  it('a tag signed only in another delegation role is denied: stricter than Portieris, and reported', async () => {
    expect(await run(['imagepolicy-allow-signed-custom.yaml'], [refs.authn.onlyS1])).toEqual(['denied']);
    const input = await writePeerInput('policies.yaml', adapt('imagepolicy-allow-signed-custom.yaml'));
    const { run: converted } = await convertInto('from-portieris', input, rootKeyFlags);
    expect(converted.stderr).toMatch(/semantics: .*policy\.trust: .*any delegation role/);
  });

  it('signerSecrets are refused without --accept-unpinned-signers (the signer key is not pinned)', async () => {
    const input = await writePeerInput('policies.yaml', adapt('imagepolicy-pinned-signer1.yaml'));
    const flags = [...rootKeyFlags, '--signer', 'signer1pubkey=signer1'];
    const { run: converted } = await convertInto('from-portieris', input, flags);
    expect(converted.code).toBe(2);
    expect(converted.stderr).toContain('POLICY_CONVERT_UNMAPPABLE');
    expect(converted.stderr).toContain('--accept-unpinned-signers');
  });

  it('an image no repository name matches is denied (the other repository)', async () => {
    expect(await run(['imagepolicy-allow-signed-custom.yaml'], [refs.cise.released])).toEqual(['denied']);
  });

  it('clusterimagepolicy-allow-all.yaml under --no-match allow admits an unsigned image', async () => {
    const flags = { convert: ['--no-match', 'allow'], verify: ['--no-match', 'allow'] };
    expect(
      await run(['clusterimagepolicy-allow-all.yaml'], [refs.authn.unsigned, refs.cise.unsigned], flags),
    ).toEqual(['allowed', 'allowed']);
  });

  it('a namespace with ImagePolicies is judged by them alone; other namespaces by the ClusterImagePolicy', async () => {
    // clusterimagepolicy-pinned-signer1 governs cise/nginx cluster-wide; allow-signed-custom (an ImagePolicy,
    // put in namespace "team" by --namespace) governs testing-authn/nginx there.
    const fixtures = ['clusterimagepolicy-pinned-signer1.yaml', 'imagepolicy-allow-signed-custom.yaml'];
    const images = [refs.cise.s1, refs.cise.s2, refs.authn.released];
    const convert = ['--namespace', 'team'];
    expect(await run(fixtures, images, { convert, verify: ['--namespace', 'default'] })).toEqual([
      'allowed',
      'denied',
      'denied',
    ]);
    expect(await run(fixtures, images, { convert, verify: ['--namespace', 'team'] })).toEqual([
      'denied',
      'denied',
      'allowed',
    ]);
  });
});
