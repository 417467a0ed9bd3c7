// ClusterImagePolicy namespaceSelectors outside a cluster (verify, review): the name label is always known,
// other labels come from --namespace-labels, and a selector that cannot be judged makes its policy apply,
// with a warning. Real registries, images signed by the real cosign, the real CLI.
import { mkdtemp, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { runPortcullis as portcullis } from '../../harness/cli';
import { loadHarness } from '../../harness/env';
import { NAME_LABEL, setUpNamespaceScenario } from '../../harness/namespace-scenario';

let dir: string;
let flags: string[];
let everywhereOnly: string; // signed only by the key that the policy for every namespace accepts
let bothKeys: string; // signed by both keys
let teamUnsigned: string; // governed only by a policy selected by the "team" label, unsigned

// labelsFile writes a --namespace-labels file and returns its path.
async function labelsFile(name: string, text: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, text);
  return file;
}

// verdictOf runs verify --output json for one image and returns its verdict and the exit code.
async function verdictOf(
  image: string,
  extra: string[],
): Promise<{ code: number; allowed: boolean; policies: string[]; warnings: string[] }> {
  const r = await portcullis(['verify', image, '--output', 'json', ...flags, ...extra]);
  expect(r.stderr).toBe('');
  const [v] = (
    JSON.parse(r.stdout) as {
      results: { allowed: boolean; images: { policies: { policy: string }[] }[]; warnings: string[] }[];
    }
  ).results;
  return {
    code: r.code,
    allowed: v?.allowed ?? false,
    policies: (v?.images[0]?.policies ?? []).map((p) => p.policy),
    warnings: v?.warnings ?? [],
  };
}

beforeAll(async () => {
  const h = loadHarness();
  dir = await mkdtemp(path.join(os.tmpdir(), 'portcullis-nslabels-'));
  const scenario = await setUpNamespaceScenario(h.referrers.host, dir);
  ({ everywhereOnly, bothKeys, teamUnsigned } = scenario);
  flags = ['--policy-dir', scenario.policyDir, '--insecure-registry', h.referrers.host];
});

describe('verify: a selector on the name label', () => {
  it('applies the prod-only policy in prod: an image only the other policy accepts is denied there', async () => {
    const prod = await verdictOf(everywhereOnly, ['--namespace', 'prod']);
    expect(prod).toMatchObject({ code: 1, allowed: false, warnings: [] });
    expect(prod.policies).toEqual(['ClusterImagePolicy/everywhere', 'ClusterImagePolicy/prod-only']);
    expect(await verdictOf(bothKeys, ['--namespace', 'prod'])).toMatchObject({ code: 0, allowed: true });
  });

  it('does not apply it in dev', async () => {
    const dev = await verdictOf(everywhereOnly, ['--namespace', 'dev']);
    expect(dev).toMatchObject({ code: 0, allowed: true, policies: ['ClusterImagePolicy/everywhere'] });
  });
});

describe('verify: a selector on another label, under --no-match allow', () => {
  const allow = ['--no-match', 'allow', '--namespace', 'prod'];

  it('labels unknown: the policy applies and the unsigned image is denied, with a warning saying why', async () => {
    const r = await verdictOf(teamUnsigned, allow);
    expect(r).toMatchObject({ code: 1, allowed: false, policies: ['ClusterImagePolicy/team-payments'] });
    expect(r.warnings).toEqual([
      '[policy ClusterImagePolicy/team-payments] applied to namespace "prod": its namespaceSelector needs label ' +
        '"team", which is unknown outside a cluster (give --namespace-labels with an entry for "prod")',
    ]);
    const other = await labelsFile('other-only.yaml', 'dev: {team: payments}\n');
    const notListed = await verdictOf(teamUnsigned, [...allow, '--namespace-labels', other]);
    expect(notListed).toMatchObject({ code: 1, allowed: false });
    expect(notListed.warnings).toHaveLength(1);
  });

  it('labels from the file: matching denies without a warning; not matching leaves the image ungoverned', async () => {
    const payments = await labelsFile('payments.yaml', 'prod: {team: payments}\n');
    expect(await verdictOf(teamUnsigned, [...allow, '--namespace-labels', payments])).toMatchObject({
      code: 1,
      allowed: false,
      warnings: [],
    });
    const web = await labelsFile('web.yaml', 'prod: {team: web}\n');
    expect(await verdictOf(teamUnsigned, [...allow, '--namespace-labels', web])).toMatchObject({
      code: 0,
      allowed: true,
      policies: [],
    });
  });

  it('prints the warning in text output too', async () => {
    const r = await portcullis(['verify', teamUnsigned, ...flags, ...allow]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      'warning: [policy ClusterImagePolicy/team-payments] applied to namespace "prod"',
    );
  });
});

describe('review: namespaces from the manifests', () => {
  it('judges each object in its own namespace, and prints the warning', async () => {
    const file = path.join(dir, 'pods.yaml');
    const pod = (name: string, ns: string, image: string): string =>
      `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}, namespace: ${ns}}\nspec:\n  containers: [{name: a, image: "${image}"}]`;
    await writeFile(
      file,
      [
        pod('p', 'prod', everywhereOnly),
        pod('d', 'dev', everywhereOnly),
        pod('t', 'prod', teamUnsigned),
      ].join('\n---\n'),
    );
    const r = await portcullis(['review', '-f', file, ...flags, '--no-match', 'allow']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^DENIED +Pod prod\/p$/m);
    expect(r.stdout).toMatch(/^ALLOWED Pod dev\/d$/m);
    expect(r.stdout).toMatch(/^DENIED +Pod prod\/t$/m);
    expect(r.stdout).toContain('needs label "team", which is unknown outside a cluster');
    const labels = await labelsFile('review-labels.yaml', 'prod: {team: web}\n');
    const known = await portcullis([
      'review',
      '-f',
      file,
      ...flags,
      '--no-match',
      'allow',
      '--namespace-labels',
      labels,
    ]);
    expect(known.stdout).toMatch(/^ALLOWED Pod prod\/t$/m);
    expect(known.stdout).not.toContain('unknown outside a cluster');
  });
});

describe('a bad --namespace-labels file or --namespace is a usage error (exit 2)', () => {
  it.each([
    [
      'a number as label value',
      'prod: {tier: 1}\n',
      ['CONFIG_NAMESPACE_LABELS_INVALID', 'label "tier"', 'string'],
    ],
    ['an invalid label key', 'prod: {"a b": c}\n', ['CONFIG_NAMESPACE_LABELS_INVALID', '"a b"']],
    [
      'a name label that contradicts its namespace',
      `prod: {${NAME_LABEL}: dev}\n`,
      ['CONFIG_NAMESPACE_LABELS_INVALID', NAME_LABEL],
    ],
    ['not YAML', 'prod: [\n', ['CONFIG_NAMESPACE_LABELS_INVALID', 'not valid YAML']],
  ])('%s', async (name, text, parts) => {
    const file = await labelsFile(`bad-${name.replace(/\W+/g, '-')}.yaml`, text);
    const manifest = await labelsFile(
      'one-pod.yaml',
      `apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: prod}\nspec:\n  containers: [{name: a, image: "${everywhereOnly}"}]\n`,
    );
    for (const args of [
      ['verify', everywhereOnly, ...flags, '--namespace-labels', file],
      ['review', '-f', manifest, ...flags, '--namespace-labels', file],
    ]) {
      const r = await portcullis(args);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      for (const part of [file, ...parts]) expect(r.stderr).toContain(part);
    }
  });

  it.each([
    [['--namespace-labels', '/nonexistent/labels.yaml'], 'CONFIG_FILE_UNREADABLE'],
    [['--namespace', 'Not_A_Namespace'], 'CONFIG_INVALID_FLAG'],
  ])('%j', async (extra, code) => {
    const r = await portcullis(['verify', everywhereOnly, ...flags, ...extra]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(code);
  });
});
