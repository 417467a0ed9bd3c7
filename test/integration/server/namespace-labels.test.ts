// `portcullis serve --policy-dir` as a process: ClusterImagePolicy namespaceSelectors are judged with the name
// label always, with --namespace-labels when given (reloaded on change), and a selector that cannot be judged
// makes its policy apply, with a warning in the AdmissionResponse (kubectl prints it).
import { mkdtemp, rename, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { runPortcullis } from '../../harness/cli';
import { loadHarness } from '../../harness/env';
import { setUpNamespaceScenario, type NamespaceScenario } from '../../harness/namespace-scenario';
import { postJson, startServe, type RunningServe } from '../../harness/serve';
import { selfSignedCert, type TlsPair } from '../../harness/tls';
import { admissionReview, podObject } from '../../harness/webhook';

/** serve polls the labels file every NAMESPACE_LABELS_POLL_MS; a reload is awaited at most this long. */
const RELOAD_WAIT_MS = 15_000;

let dir: string;
let tls: TlsPair;
let scenario: NamespaceScenario;
let host: string;
const running: RunningServe[] = [];

interface Answer {
  allowed: boolean;
  warnings: string[];
  message: string;
}

// validate sends a Pod CREATE in `namespace` with one image to /validate and returns the answer.
async function validate(serve: RunningServe, namespace: string, image: string): Promise<Answer> {
  const pod = podObject({ a: image });
  (pod.metadata as { namespace: string }).namespace = namespace;
  const r = await postJson(serve.port, tls.cert, '/validate', admissionReview(pod));
  expect(r.status).toBe(200);
  const res = (
    r.body as { response: { allowed: boolean; warnings?: string[]; status?: { message: string } } }
  ).response;
  return { allowed: res.allowed, warnings: res.warnings ?? [], message: res.status?.message ?? '' };
}

// serveWith starts `serve --policy-dir` with --no-match allow and `extra` flags.
async function serveWith(extra: string[]): Promise<RunningServe> {
  const serve = await startServe(tls, [
    '--policy-dir',
    scenario.policyDir,
    '--insecure-registry',
    host,
    '--no-match',
    'allow',
    '--log-level',
    'warn',
    ...extra,
  ]);
  running.push(serve);
  return serve;
}

beforeAll(async () => {
  host = loadHarness().referrers.host;
  dir = await mkdtemp(path.join(os.tmpdir(), 'portcullis-serve-nslabels-'));
  tls = selfSignedCert(dir, 'serve');
  scenario = await setUpNamespaceScenario(host, dir);
});

afterAll(async () => {
  await Promise.all(running.map((s) => s.stop('SIGKILL')));
});

describe('serve --policy-dir without --namespace-labels', () => {
  let serve: RunningServe;
  beforeAll(async () => {
    serve = await serveWith([]);
  });

  it('applies a policy selected by the name label in prod, not in dev', async () => {
    const prod = await validate(serve, 'prod', scenario.everywhereOnly);
    expect(prod.allowed).toBe(false);
    expect(prod.message).toContain('ClusterImagePolicy/prod-only');
    expect(prod.warnings).toEqual([]);
    expect((await validate(serve, 'prod', scenario.bothKeys)).allowed).toBe(true);
    expect((await validate(serve, 'dev', scenario.everywhereOnly)).allowed).toBe(true);
  });

  it('applies a policy whose selector cannot be judged, and says why (--no-match allow does not admit)', async () => {
    const prod = await validate(serve, 'prod', scenario.teamUnsigned);
    expect(prod.allowed).toBe(false);
    expect(prod.message).toContain('ClusterImagePolicy/team-payments');
    expect(prod.warnings).toEqual([
      '[policy ClusterImagePolicy/team-payments] applied to namespace "prod": its namespaceSelector needs label ' +
        '"team", which is unknown outside a cluster (give --namespace-labels with an entry for "prod")',
    ]);
  });
});

describe('serve --policy-dir --namespace-labels FILE', () => {
  it('judges selectors with the labels of the file, and follows changes to it', async () => {
    const file = path.join(dir, 'namespaces.yaml');
    await writeFile(file, 'prod: {team: web}\n');
    const serve = await serveWith(['--namespace-labels', file]);
    expect(await validate(serve, 'prod', scenario.teamUnsigned)).toMatchObject({
      allowed: true,
      warnings: [],
    });
    // Replaced as editors and ConfigMap volumes do: a new file renamed over the old one.
    await writeFile(`${file}.new`, 'prod: {team: payments}\n');
    await rename(`${file}.new`, file);
    const deadline = Date.now() + RELOAD_WAIT_MS;
    let answer = await validate(serve, 'prod', scenario.teamUnsigned);
    while (answer.allowed && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      answer = await validate(serve, 'prod', scenario.teamUnsigned);
    }
    expect(answer).toMatchObject({ allowed: false, warnings: [] });
    expect(answer.message).toContain('ClusterImagePolicy/team-payments');
  });

  it.each([
    [
      'a bad file',
      (file: string) => ['--policy-dir', scenario.policyDir, '--namespace-labels', file],
      'CONFIG_NAMESPACE_LABELS_INVALID',
    ],
    ['cluster mode', (file: string) => ['--namespace-labels', file], 'CONFIG_INVALID_FLAG'],
  ])('exits 2 on %s', async (_name, args, code) => {
    const file = path.join(dir, 'bad.yaml');
    await writeFile(file, 'prod: {tier: 1}\n');
    const r = await runPortcullis(['serve', '--plain-http', '--listen', '127.0.0.1:0', ...args(file)]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(code);
  });
});
