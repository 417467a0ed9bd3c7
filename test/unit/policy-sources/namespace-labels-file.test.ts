// --namespace-labels FILE: the accepted format, and a ConfigError naming the file and the field for each mistake.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError } from '../../../src/cli/errors';
import {
  MAX_NAMESPACE_LABELS_FILE_BYTES,
  NamespaceLabelsFile,
  parseNamespaceLabels,
} from '../../../src/policy-sources/namespace-labels-file';
import { silentLogger } from '../../../src/observability/logger';
import { MAX_YAML_ALIASES } from '../../../src/policy/crd/documents';
import { NAMESPACE_NAME_LABEL } from '../../../src/policy/decide/namespace-labels';

const FILE = 'labels.yaml';

// expectConfigError runs fn and checks the error's class, code, and that the message names file and field.
function expectConfigError(fn: () => unknown, code: string, ...parts: string[]): void {
  expect(fn).toThrowWithCode(code, { instanceOf: ConfigError, message: parts });
}

describe('parseNamespaceLabels', () => {
  test('a map of namespace to labels; an empty entry means "known: no labels"', () => {
    const map = parseNamespaceLabels(
      [
        'prod:',
        '  team: payments',
        '  example.com/tier: "1"',
        `  ${NAMESPACE_NAME_LABEL}: prod`,
        'dev: {}',
        'sandbox:',
      ].join('\n'),
      FILE,
    );
    expect(map.get('prod')).toEqual({
      team: 'payments',
      'example.com/tier': '1',
      [NAMESPACE_NAME_LABEL]: 'prod',
    });
    expect(map.get('dev')).toEqual({});
    expect(map.get('sandbox')).toEqual({});
    expect(map.get('other')).toBeUndefined();
  });

  test('an empty file knows no namespace', () => {
    expect(parseNamespaceLabels('', FILE).size).toBe(0);
    expect(parseNamespaceLabels('# nothing yet\n', FILE).size).toBe(0);
  });

  test('JSON is YAML too (the output of kubectl get ns -o json | jq)', () => {
    expect(parseNamespaceLabels('{"prod": {"team": "payments"}}', FILE).get('prod')).toEqual({
      team: 'payments',
    });
  });

  test.each<[string, string, string[]]>([
    ['not YAML', 'prod: [unclosed', ['not valid YAML']],
    ['two documents', 'prod: {}\n---\ndev: {}\n', ['one YAML document']],
    ['a list at the top', '- prod\n', ['namespace names to label maps']],
    ['a scalar at the top', 'prod\n', ['namespace names to label maps']],
    ['a duplicate namespace', 'prod: {}\nprod: {a: b}\n', ['not valid YAML']],
    ['an invalid namespace name', 'Prod_1: {}\n', ['"Prod_1"', 'not a valid namespace name']],
    ['labels that are a list', 'prod: [a, b]\n', ['namespace "prod"', 'map of label keys to values']],
    ['labels that are a string', 'prod: team\n', ['namespace "prod"', 'map of label keys to values']],
    ['an invalid label key', 'prod: {"no spaces": x}\n', ['namespace "prod"', '"no spaces"', 'label key']],
    ['a label key with a bad prefix', 'prod: {"Bad_Prefix/x": y}\n', ['"Bad_Prefix/x"', 'label key']],
    ['an invalid label value', 'prod: {team: "a b"}\n', ['namespace "prod"', 'label "team"', 'label value']],
    ['a label value too long', `prod: {team: ${'a'.repeat(64)}}\n`, ['label "team"', 'label value']],
    ['a number as value', 'prod: {tier: 1}\n', ['label "tier"', 'must be a string', 'quote']],
    ['a boolean as value', 'prod: {on: true}\n', ['label "on"', 'must be a string']],
    ['null as value', 'prod: {team: null}\n', ['label "team"', 'must be a string']],
    [
      'a name label that contradicts the namespace',
      `prod: {${NAMESPACE_NAME_LABEL}: dev}\n`,
      ['namespace "prod"', NAMESPACE_NAME_LABEL, '"dev" contradicts', 'sets it to "prod"'],
    ],
    [
      'too many aliases',
      `a: &x {k: v}\n${Array.from({ length: MAX_YAML_ALIASES + 10 }, (_, i) => `n${i}: *x`).join('\n')}\n`,
      ['alias'],
    ],
  ])('%s', (_name, text, parts) => {
    expectConfigError(
      () => parseNamespaceLabels(text, FILE),
      'CONFIG_NAMESPACE_LABELS_INVALID',
      `--namespace-labels ${FILE}`,
      ...parts,
    );
  });

  test('every problem is reported, not only the first', () => {
    expectConfigError(
      () => parseNamespaceLabels('prod: {tier: 1}\ndev: {"x y": z}\n', FILE),
      'CONFIG_NAMESPACE_LABELS_INVALID',
      'label "tier"',
      '"x y"',
    );
  });
});

describe('NamespaceLabelsFile', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'portcullis-ns-labels-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('loads the file: known namespaces have their labels, others are unknown', () => {
    const file = path.join(dir, 'ns.yaml');
    writeFileSync(file, 'prod: {team: payments}\n');
    const labels = NamespaceLabelsFile.load(file, silentLogger());
    expect(labels.labelsOf('prod')).toEqual({ team: 'payments' });
    expect(labels.labelsOf('dev')).toBeUndefined();
  });

  test('a missing file is CONFIG_FILE_UNREADABLE', () => {
    expectConfigError(
      () => NamespaceLabelsFile.load(path.join(dir, 'absent.yaml'), silentLogger()),
      'CONFIG_FILE_UNREADABLE',
      '--namespace-labels',
      'absent.yaml',
    );
  });

  test('a file past the size limit is refused before it is parsed', () => {
    const file = path.join(dir, 'big.yaml');
    writeFileSync(file, `# ${'x'.repeat(MAX_NAMESPACE_LABELS_FILE_BYTES)}\n`);
    expectConfigError(
      () => NamespaceLabelsFile.load(file, silentLogger()),
      'CONFIG_NAMESPACE_LABELS_INVALID',
      'big.yaml',
      `larger than ${MAX_NAMESPACE_LABELS_FILE_BYTES} bytes`,
    );
  });

  test('reload picks up changes; a broken file keeps the previous labels', () => {
    const file = path.join(dir, 'ns.yaml');
    writeFileSync(file, 'prod: {team: payments}\n');
    const labels = NamespaceLabelsFile.load(file, silentLogger());
    writeFileSync(file, 'prod: {team: web}\ndev: {}\n');
    labels.reload();
    expect(labels.labelsOf('prod')).toEqual({ team: 'web' });
    expect(labels.labelsOf('dev')).toEqual({});
    writeFileSync(file, 'prod: {team: [broken\n');
    labels.reload();
    expect(labels.labelsOf('prod')).toEqual({ team: 'web' });
  });
});
