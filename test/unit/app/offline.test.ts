// The evaluator behind `portcullis verify` and `review`: its flags, and one request read once and judged as
// the webhook would. Only ungoverned images are used, which never reach a registry.
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOfflineEvaluator, MAX_CLI_TIMEOUT_SECONDS } from '../../../src/app/offline';
import { AdmissionError } from '../../../src/admission';
import { ConfigError } from '../../../src/errors';
import { podRequest } from '../../harness/pod-request';

// policyDir is a folder with one policy governing registry.example.com/team/** only.
function policyDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-offline-'));
  copyFileSync(join(__dirname, '../../fixtures/policies/valid/cluster-minimal.yaml'), join(dir, 'p.yaml'));
  return dir;
}

const UNGOVERNED = 'docker.io/library/busybox:1.36';

describe('createOfflineEvaluator: flags', () => {
  it('requires --policy-dir', () => {
    expect(() => createOfflineEvaluator({})).toThrowWithCode('CONFIG_INVALID_FLAG', {
      instanceOf: ConfigError,
      message: '--policy-dir DIR is required',
    });
  });

  it.each(['0', '-1', 'soon', String(MAX_CLI_TIMEOUT_SECONDS + 1)])('refuses --timeout %s', (timeout) => {
    expect(() => createOfflineEvaluator({ policyDir: policyDir(), timeout })).toThrowWithCode(
      'CONFIG_INVALID_FLAG',
      { message: `--timeout expects seconds between 1 and ${MAX_CLI_TIMEOUT_SECONDS}` },
    );
  });
});

describe('createOfflineEvaluator: one request', () => {
  it.each([
    ['allow', true],
    ['deny', false],
  ] as const)('judges an ungoverned image by --no-match %s', async (noMatch, allowed) => {
    const evaluate = createOfflineEvaluator({ policyDir: policyDir(), noMatch, timeout: '5' });
    const { decision, reviewed, uses } = await evaluate(podRequest([UNGOVERNED]));
    expect({ reviewed, allowed: decision.allowed }).toEqual({ reviewed: true, allowed });
    expect(uses.map((u) => u.image)).toEqual([UNGOVERNED]);
    if (!allowed) expect(decision.message).toContain('POLICY_NO_MATCH');
  });

  it('reads --namespace-labels, and skips what needs no review', async () => {
    const labels = join(mkdtempSync(join(tmpdir(), 'portcullis-labels-')), 'labels.yaml');
    writeFileSync(labels, 'team-a: {team: payments}\n');
    const evaluate = createOfflineEvaluator({ policyDir: policyDir(), namespaceLabels: labels });
    const deleted = await evaluate({ ...podRequest([UNGOVERNED]), operation: 'DELETE' });
    expect(deleted).toMatchObject({ reviewed: false, uses: [], decision: { allowed: true } });
    expect(await evaluate(podRequest([UNGOVERNED]))).toMatchObject({ reviewed: true });
  });

  it('rejects (never throws synchronously) a request whose pod spec cannot be read', async () => {
    const evaluate = createOfflineEvaluator({ policyDir: policyDir() });
    const broken = evaluate({ ...podRequest([]), object: { spec: { containers: 'x' } } });
    await expect(broken).rejects.toThrowWithCode('ADMISSION_MALFORMED', { instanceOf: AdmissionError });
  });
});
