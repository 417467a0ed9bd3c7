import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { lintPolicyText } from '../../../src/policy/compile/lint';
import { compilePolicies } from '../../../src/policy/compile/compile-set';
import { parsePolicyDocuments, secretLookupFrom } from '../../../src/policy/crd/documents';

const ROOT = join(__dirname, '..', '..', 'fixtures', 'policies');
const list = (dir: string) =>
  readdirSync(join(ROOT, dir))
    .filter((f) => f.endsWith('.yaml'))
    .sort();

describe('valid policy fixtures', () => {
  test('there are some', () => expect(list('valid').length).toBeGreaterThanOrEqual(5));

  test.each(list('valid'))('%s lints clean and compiles', (file) => {
    const text = readFileSync(join(ROOT, 'valid', file), 'utf8');
    expect(lintPolicyText(text, file)).toEqual([]);
    const docs = parsePolicyDocuments(text, file);
    const set = compilePolicies(
      docs.policies.map((d) => d.object),
      { secrets: secretLookupFrom(docs.secrets) },
    );
    expect(set.broken).toEqual([]);
    expect(set.policies.length).toBe(docs.policies.length);
  });
});

describe('invalid policy fixtures', () => {
  test('there are some', () => expect(list('invalid').length).toBeGreaterThanOrEqual(15));

  test.each(list('invalid'))('%s reports the expected field and code', (file) => {
    const text = readFileSync(join(ROOT, 'invalid', file), 'utf8');
    const m = /^# expect: (\S+) (POLICY_[A-Z_]+)$/m.exec(text.split('\n')[0] ?? '');
    expect(m).not.toBeNull();
    const [, path, code] = m ?? [];
    const findings = lintPolicyText(text, file);
    expect(findings).toContainEqual(expect.objectContaining({ source: file, path, code, severity: 'error' }));
    for (const f of findings) expect(f.line).toBeGreaterThanOrEqual(1);
  });
});
