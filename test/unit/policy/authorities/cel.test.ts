import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CompiledCondition, ConditionInput } from '../../../../src/policy/compile/compiled.types';
import { compileCondition } from '../../../../src/policy/authorities/cel';
import { MAX_CEL_LENGTH } from '../../../../src/policy/crd/schema';
import type { FieldError } from '../../../../src/policy/errors';
import { MAX_CEL_PREDICATE_DEPTH, MAX_CEL_PREDICATE_VALUES } from '../../../../src/policy/limits';

const PATH = 'spec.authorities[0].cosign.attestations[1].conditions[2]';
const TYPE = 'https://example.com/predicate/v1';

// compiled compiles a condition that must compile.
function compiled(source: string): CompiledCondition {
  const c = compileCondition(source, PATH);
  if (!('evaluate' in c)) throw new Error(`expected ${JSON.stringify(source)} to compile: ${c.message}`);
  return c;
}

// compileError compiles a condition that must not compile.
function compileError(source: string): FieldError {
  const c = compileCondition(source, PATH);
  if ('evaluate' in c) throw new Error(`expected ${JSON.stringify(source)} not to compile`);
  return c;
}

// run compiles and evaluates one condition on one predicate.
function run(
  source: string,
  predicate: unknown,
  predicateType = TYPE,
): ReturnType<CompiledCondition['evaluate']> {
  return compiled(source).evaluate({ predicate, predicateType });
}

describe('compileCondition: errors located at compile time', () => {
  test.each([
    ['predicate.a ==', 'syntax error at 1:13'],
    ['predicate.a == 1 &&\n  predicate.b ==', 'syntax error at 2:'],
    ["predicate.name == 'abc", 'syntax error at 1:'],
    ['predicateType + 1 == 2', "type error at 1:15: no overload of '+' takes (string, int)"],
    ['size(predicateType, 1) == 2', "type error at 1:1: unknown function 'size' with 2 arguments"],
    ['foo(predicate)', "type error at 1:1: unknown function 'foo' with 1 argument"],
    ['predicate.startsWithX("a")', "unknown method 'startsWithX'"],
    ['predicate.a == 1 &&\n  subject.digest == "x"', "type error at 2:3: undeclared reference to 'subject'"],
    ['predicate.items.all(x, y > 0)', "undeclared reference to 'y'"],
    ['predicate.items.all(x, x > 0) && x == 1', "undeclared reference to 'x'"],
    [
      'predicateType.size() > 1 && predicateType.name == "x"',
      "type error at 1:42: a string has no field 'name'",
    ],
    ["'abc'.all(c, c == 'a')", 'cannot iterate over a string'],
    ['predicate.a == 1 && 2', 'expected a bool, not a int'],
    ['predicateType', 'the expression produces a string; a condition must produce a bool'],
    ['size(predicate.items)', 'the expression produces a int'],
    ['predicate.items.map(x, x.name)', 'the expression produces a list'],
    ['', 'the expression is empty'],
    ['x'.repeat(MAX_CEL_LENGTH + 1), `longer than ${MAX_CEL_LENGTH} characters`],
    [`${'('.repeat(2000)}true${')'.repeat(2000)}`, 'nested too deeply'],
  ])('%j: %s', (source, fragment) => {
    const error = compileError(source);
    expect(error).toEqual({ path: PATH, code: 'POLICY_CEL_INVALID', message: expect.any(String) });
    expect(error.message).toContain(fragment);
  });

  test.each([
    'predicate.a == 1',
    'predicateType == "https://slsa.dev/provenance/v1" && has(predicate.builder)',
    'predicate.items.exists(x, x in ["a", "b"]) || size(predicate.items) == 0',
    'predicate.name.matches("^acme-[a-z]+$") && predicate.name.endsWith("-app")',
    'type(predicate.count) == int && int(predicate.count) >= 0',
    '{"a": 1}.a == predicate.n ? true : false',
    'predicate.items.exists_one(x, x == 1)',
    'dyn(predicate.x)',
  ])('accepts %j', (source) => {
    expect(compiled(source).source).toBe(source);
  });
});

describe('evaluate: a condition holds only when it produces true', () => {
  test.each([
    ['predicate.count', { count: 3 }, 'the condition produced a int, not a bool'],
    ['predicate.name', { name: 'x' }, 'the condition produced a string, not a bool'],
    ['predicate.flags', { flags: [true] }, 'the condition produced a list'],
    ['predicate.missing', {}, 'field not found'],
  ])('%j on %j is an error, not true', (source, predicate, fragment) => {
    const result = run(source, predicate);
    expect(result).toEqual({ error: expect.stringContaining(fragment) });
  });

  test('a dyn condition that produces a bool is evaluated', () => {
    expect(run('predicate.ok', { ok: true })).toBe(true);
    expect(run('predicate.ok', { ok: false })).toBe(false);
  });
});

describe('evaluate: errors fail closed and never throw', () => {
  test.each([
    ['a missing key', 'predicate.scanner.result == "ok"', { scanner: {} }, '1:18: field not found: result'],
    ['a type mismatch', 'predicate.name > 1', { name: 'x' }, "no matching overload for '_>_'"],
    ['int overflow', 'predicate.n * predicate.n > 0', { n: 2 ** 40 }, 'overflow'],
    ['division by zero', 'predicate.n / predicate.zero == 1', { n: 1, zero: 0 }, 'divide by zero'],
    ['an index out of range', 'predicate.items[3] == 1', { items: [1] }, 'index 3 out of bounds'],
    ['iterating a string', 'predicate.name.all(c, c == "a")', { name: 'abc' }, 'type mismatch'],
    ['not of an error', '!(predicate.missing == 1)', {}, 'field not found'],
    ['an error in a conjunction', 'predicate.missing == 1 && true', {}, 'field not found'],
  ])('%s', (_what, source, predicate, fragment) => {
    expect(run(source, predicate)).toEqual({ error: expect.stringContaining(fragment) });
  });

  test.each([
    ['undefined', undefined, 'not JSON'],
    ['a function', { f: () => 1 }, 'not JSON'],
    ['a Date', { at: new Date(0) }, 'not plain JSON'],
    ['a symbol', Symbol('x'), 'not JSON'],
  ])('a predicate holding %s is an error', (_what, predicate, fragment) => {
    expect(run('true', predicate)).toEqual({ error: expect.stringContaining(fragment) });
  });

  test('a predicateType that is not a string is an error', () => {
    const input = { predicate: {}, predicateType: 7 } as unknown as ConditionInput;
    expect(compiled('true').evaluate(input)).toEqual({ error: 'predicateType is not a string' });
  });

  test('a predicate nested deeper than MAX_CEL_PREDICATE_DEPTH is an error', () => {
    const nest = (depth: number): unknown => (depth === 0 ? 1 : { a: nest(depth - 1) });
    expect(run('true', nest(MAX_CEL_PREDICATE_DEPTH))).toBe(true);
    expect(run('true', nest(MAX_CEL_PREDICATE_DEPTH + 1))).toEqual({
      error: `the predicate is nested more than ${MAX_CEL_PREDICATE_DEPTH} levels deep`,
    });
  });

  test('a predicate with more than MAX_CEL_PREDICATE_VALUES values is an error', () => {
    expect(run('true', { items: new Array(MAX_CEL_PREDICATE_VALUES - 2).fill(0) })).toBe(true);
    expect(run('true', { items: new Array(MAX_CEL_PREDICATE_VALUES - 1).fill(0) })).toEqual({
      error: `the predicate has more than ${MAX_CEL_PREDICATE_VALUES} JSON values`,
    });
  });
});

describe('evaluate: JSON numbers', () => {
  test.each([
    ['predicate.critical == 0', { critical: 0 }, true],
    ['predicate.critical == 0', { critical: 1 }, false],
    ['predicate.count + 1 == 4', { count: 3 }, true],
    ['type(predicate.count) == int', { count: 3 }, true],
    ['type(predicate.count) == int', { count: -0 }, true],
    ['size(predicate.items) == predicate.count', { items: [1, 2], count: 2 }, true],
    ['predicate.score == 7.5', { score: 7.5 }, true],
    ['type(predicate.score) == double', { score: 7.5 }, true],
    ['predicate.score > 7', { score: 7.5 }, true],
    ['predicate.score * 2.0 == 15.0', { score: 7.5 }, true],
    ['type(predicate.big) == double', { big: 2 ** 53 }, true],
    ['type(predicate.big) == int', { big: 2 ** 53 - 1 }, true],
    ['predicate.cvss >= 7.0', { cvss: 9 }, true],
  ])('%j on %j is %s', (source, predicate, expected) => {
    expect(run(source, predicate)).toBe(expected);
  });

  test('int arithmetic on a JSON integer is CEL int arithmetic (a double operand needs double())', () => {
    expect(run('predicate.count * 2.0 == 6.0', { count: 3 })).toEqual({
      error: expect.stringContaining('no matching overload'),
    });
    expect(run('double(predicate.count) * 2.0 == 6.0', { count: 3 })).toBe(true);
  });
});

describe('evaluate: cost is bounded', () => {
  const items = Array.from({ length: 2000 }, (_, i) => ({ id: i, severity: i % 2 === 0 ? 'LOW' : 'HIGH' }));

  test.each([
    ['one pass over 2,000 items', 'predicate.items.all(x, x.severity != "CRITICAL")', true],
    ['a filter and a count', 'predicate.items.filter(x, x.severity == "HIGH").size() == 1000', true],
    ['a map then exists', 'predicate.items.map(x, x.id).exists(i, i == 1999)', true],
  ])('%s stays within the limit', (_what, source, expected) => {
    expect(run(source, { items })).toBe(expected);
  });

  test.each([
    ['nested comprehensions', 'predicate.items.all(x, predicate.items.all(y, true))'],
    ['`in` over a list inside a comprehension', 'predicate.items.all(x, x in predicate.items)'],
    [
      'equality of lists inside a comprehension',
      'predicate.items.all(x, predicate.items == predicate.items)',
    ],
    ['an error hidden by ||', 'predicate.items.all(x, !predicate.items.exists(y, false)) || true'],
  ])('%s over 2,000 items exceed it', (_what, source) => {
    expect(run(source, { items })).toEqual({ error: 'the condition exceeded its cost limit' });
  });

  test('string operations pay for the strings they scan', () => {
    const predicate = { big: 'a'.repeat(100_000), items: new Array(20).fill(0) };
    expect(run('predicate.items.all(x, !predicate.big.contains("z"))', { ...predicate, items: [0] })).toBe(
      true,
    );
    expect(run('predicate.items.all(x, !predicate.big.contains("z"))', predicate)).toEqual({
      error: 'the condition exceeded its cost limit',
    });
  });

  test('a condition over budget stops at its next step instead of running on', () => {
    const many = Array.from({ length: 100_000 }, (_, i) => ({ id: i, s: 'xxxxxxxxxx' }));
    const c = compiled(
      'predicate.items.all(x, x.s.startsWith("x") && x.s.endsWith("x") && x.s.contains("x") && x.id >= 0)',
    );
    const started = performance.now();
    expect(c.evaluate({ predicate: { items: many }, predicateType: TYPE })).toEqual({
      error: 'the condition exceeded its cost limit',
    });
    // Unmetered, or metered without stopping, this takes over ten seconds here; metered, about a tenth of one.
    expect(performance.now() - started).toBeLessThan(5000);
  });

  test('a single pass pays for the size of its body', () => {
    const many = new Array(200_000).fill(1);
    expect(run('predicate.items.all(x, x == 1)', { items: many.slice(0, 100_000) })).toBe(true);
    expect(run('predicate.items.all(x, x == 1)', { items: many })).toEqual({
      error: 'the condition exceeded its cost limit',
    });
  });

  test('the budget is per evaluation', () => {
    const c = compiled('predicate.items.all(x, predicate.items.size() > 0)');
    for (let i = 0; i < 5; i += 1)
      expect(c.evaluate({ predicate: { items }, predicateType: TYPE })).toBe(true);
  });
});

// The typical policies of docs/cosign.md, on the statements of test/fixtures/attestations/.
const FIXTURES = join(__dirname, '..', '..', '..', 'fixtures', 'attestations');

interface Statement {
  readonly predicateType: string;
  readonly predicate: Record<string, unknown>;
}

// statement reads a fixture; each call returns a fresh copy that a test may change.
function statement(file: string): Statement {
  return JSON.parse(readFileSync(join(FIXTURES, file), 'utf8')) as Statement;
}

// holds evaluates conditions on a statement and says whether all of them hold.
function results(conditions: readonly string[], s: Statement): ReturnType<CompiledCondition['evaluate']>[] {
  return conditions.map((c) =>
    compiled(c).evaluate({ predicate: s.predicate, predicateType: s.predicateType }),
  );
}

type Path = readonly (string | number)[];

// changed returns a fixture with the value at `path` (inside `predicate`) replaced, or deleted when undefined.
function changed(file: string, path: Path, value: unknown): Statement {
  const s = statement(file);
  let node: Record<string | number, unknown> = s.predicate;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = path[path.length - 1] ?? '';
  if (value === undefined) delete node[last];
  else node[last] = value;
  return s;
}

const SLSA_V1 = [
  'predicateType == "https://slsa.dev/provenance/v1"',
  'predicate.runDetails.builder.id == "https://github.com/actions/runner/github-hosted"',
  'predicate.buildDefinition.externalParameters.workflow.repository == "https://github.com/acme/app"',
  'predicate.buildDefinition.resolvedDependencies.exists(d, d.uri.startsWith("git+https://github.com/acme/app@"))',
];
const SLSA_V02 = [
  'predicate.builder.id == "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_container_slsa3.yml@refs/tags/v1.9.0"',
  'predicate.invocation.configSource.uri.startsWith("git+https://github.com/acme/app@refs/tags/")',
];
const NO_CRITICAL_VULNS = [
  'size(predicate.scanner.result.Results.filter(r, has(r.Vulnerabilities) && r.Vulnerabilities.exists(v, v.Severity == "CRITICAL"))) == 0',
  '!predicate.scanner.result.Results.exists(r, has(r.Vulnerabilities) && r.Vulnerabilities.exists(v, v.Severity == "CRITICAL"))',
];
const NO_SARIF_ERRORS = [
  'predicate.report.runs.all(run, !has(run.results) || run.results.all(r, !has(r.level) || r.level != "error"))',
];
const SPDX_PRESENT = ['has(predicate.packages) && size(predicate.packages) > 0'];
const CYCLONEDX_PRESENT = [
  'predicate.bomFormat == "CycloneDX" && has(predicate.components) && size(predicate.components) > 0',
];

describe('typical attestation policies', () => {
  test.each([
    ['SLSA v1 builder and source', SLSA_V1, 'slsa-provenance-v1.json'],
    ['SLSA v0.2 builder and config source', SLSA_V02, 'slsa-provenance-v0.2.json'],
    ['no critical vulnerabilities (cosign vuln)', NO_CRITICAL_VULNS, 'cosign-vuln-v1.json'],
    ['no SARIF result of level error', NO_SARIF_ERRORS, 'sarif-witness-v0.1.json'],
    ['an SPDX SBOM is present', SPDX_PRESENT, 'spdx-document.json'],
    ['a CycloneDX SBOM is present', CYCLONEDX_PRESENT, 'cyclonedx-bom.json'],
  ])('%s: holds on %s', (_what, conditions, file) => {
    expect(results(conditions, statement(file))).toEqual(conditions.map(() => true));
  });

  const evilDependency = [{ uri: 'git+https://github.com/acme-evil/app@refs/tags/v1.4.2', digest: {} }];
  const critical = {
    VulnerabilityID: 'CVE-2023-38545',
    PkgName: 'curl',
    InstalledVersion: '8.3.0-r0',
    Severity: 'CRITICAL',
  };
  test.each([
    [
      'SLSA v1: another builder',
      SLSA_V1[1],
      'slsa-provenance-v1.json',
      ['runDetails', 'builder', 'id'],
      'https://example.com/evil-builder',
    ],
    [
      'SLSA v1: another repository',
      SLSA_V1[2],
      'slsa-provenance-v1.json',
      ['buildDefinition', 'externalParameters', 'workflow', 'repository'],
      'https://github.com/acme-evil/app',
    ],
    [
      'SLSA v1: a look-alike dependency',
      SLSA_V1[3],
      'slsa-provenance-v1.json',
      ['buildDefinition', 'resolvedDependencies'],
      evilDependency,
    ],
    [
      'SLSA v0.2: another builder',
      SLSA_V02[0],
      'slsa-provenance-v0.2.json',
      ['builder', 'id'],
      'https://example.com/evil-builder',
    ],
    [
      'SLSA v0.2: a branch build',
      SLSA_V02[1],
      'slsa-provenance-v0.2.json',
      ['invocation', 'configSource', 'uri'],
      'git+https://github.com/acme/app@refs/heads/main',
    ],
    [
      'vuln: a critical finding (count)',
      NO_CRITICAL_VULNS[0],
      'cosign-vuln-v1.json',
      ['scanner', 'result', 'Results', 1, 'Vulnerabilities'],
      [critical],
    ],
    [
      'vuln: a critical finding (exists)',
      NO_CRITICAL_VULNS[1],
      'cosign-vuln-v1.json',
      ['scanner', 'result', 'Results', 0, 'Vulnerabilities', 0, 'Severity'],
      'CRITICAL',
    ],
    [
      'SARIF: an error result',
      NO_SARIF_ERRORS[0],
      'sarif-witness-v0.1.json',
      ['report', 'runs', 0, 'results', 1, 'level'],
      'error',
    ],
    ['SPDX: no packages', SPDX_PRESENT[0], 'spdx-document.json', ['packages'], []],
    ['CycloneDX: no components', CYCLONEDX_PRESENT[0], 'cyclonedx-bom.json', ['components'], undefined],
  ])('%s fails', (_what, condition, file, path, value) => {
    expect(results([condition ?? ''], changed(file, path, value))).toEqual([false]);
  });

  test.each([
    ['SLSA v1 without runDetails', SLSA_V1[1], 'slsa-provenance-v1.json', ['runDetails']],
    [
      'a vuln report without Results',
      NO_CRITICAL_VULNS[1],
      'cosign-vuln-v1.json',
      ['scanner', 'result', 'Results'],
    ],
  ])('%s is an error (fails closed)', (_what, condition, file, path) => {
    expect(results([condition ?? ''], changed(file, path, undefined))).toEqual([
      { error: expect.stringContaining('field not found') },
    ]);
  });

  test('an SPDX condition on a predicate without packages is false, not an error (has() guards it)', () => {
    expect(results(SPDX_PRESENT, changed('spdx-document.json', ['packages'], undefined))).toEqual([false]);
  });
});
