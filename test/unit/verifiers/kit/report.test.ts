import type { CompiledAuthority } from '../../../../src/policy/compile/compiled.types';
import { MAX_REASONS_IN_MESSAGE } from '../../../../src/verifiers/kit/limits';
import type { Rejected } from '../../../../src/verifiers/kit/outcome';
import { listReasons, logOutcome, toEvidence } from '../../../../src/verifiers/kit/report';
import { captureLogger } from '../../kube/fakes';
import { contextFor, targetFor } from '../context';
import { MemoryRegistry } from '../memory-registry';

const refused = (n: number): Rejected[] =>
  Array.from({ length: n }, (_, i) => ({ ok: false, where: `sig ${i + 1}`, reason: `reason ${i + 1}` }));
const authority = { kind: 'cosign', name: 'release' } as unknown as CompiledAuthority;
const DIGEST = `sha256:${'a'.repeat(64)}`;

describe('listReasons', () => {
  it.each<[string, number, number | undefined, string]>([
    ['says so when there is none', 0, undefined, 'none listed'],
    ['lists one', 1, undefined, 'sig 1: reason 1'],
    ['lists up to the limit', 2, 2, 'sig 1: reason 1; sig 2: reason 2'],
    ['counts the rest', 3, 1, 'sig 1: reason 1; and 2 more'],
  ])('%s', (_, n, max, expected) => {
    expect(listReasons(refused(n), max)).toBe(expected);
  });

  it(`lists ${MAX_REASONS_IN_MESSAGE} by default`, () => {
    const text = listReasons(refused(MAX_REASONS_IN_MESSAGE + 2));
    expect(text.split('; ')).toHaveLength(MAX_REASONS_IN_MESSAGE + 1);
    expect(text).toMatch(/; and 2 more$/);
  });
});

describe('toEvidence', () => {
  it('names the scheme and authority, without warnings when there are none', () => {
    expect(toEvidence(authority, { ok: true, where: 'x', warnings: [] }, 'signed')).toEqual({
      scheme: 'cosign',
      authority: 'release',
      summary: 'signed',
    });
  });

  it('passes warnings on', () => {
    const evidence = toEvidence(authority, { ok: true, where: 'x', warnings: ['expired'] }, 'signed');
    expect(evidence.warnings).toEqual(['expired']);
  });
});

describe('logOutcome', () => {
  const target = targetFor('registry.test/app', DIGEST);
  const logged = (outcome: Parameters<typeof logOutcome>[4], fields = {}) => {
    const { logger, lines } = captureLogger('debug');
    logOutcome({ ...contextFor(new MemoryRegistry()), logger }, target, authority, 'test', outcome, fields);
    return lines().map((l) => JSON.parse(l) as Record<string, unknown>);
  };

  it('logs a refusal at debug with its reason and the scheme fields', () => {
    const [line] = logged({ ok: false, where: 'sig 1', reason: 'bad' }, { kind: 'digest' });
    expect(line).toMatchObject({
      level: 20,
      msg: 'test signature rejected',
      digest: DIGEST,
      authority: 'release',
      signature: 'sig 1',
      kind: 'digest',
      reason: 'bad',
    });
  });

  it('logs an acceptance at debug', () => {
    const [line] = logged({ ok: true, where: 'sig 1' }, { key: 'k1' });
    expect(line).toMatchObject({ level: 20, msg: 'test signature verified', key: 'k1' });
  });

  it('logs an acceptance with logged failures at warn', () => {
    const [line] = logged({ ok: true, where: 'sig 1', warnings: ['expired'] });
    expect(line).toMatchObject({
      level: 40,
      msg: 'test signature accepted with logged failures',
      warnings: ['expired'],
    });
  });
});
