// policy lint points every finding at file:line:col: a field's key, a list item, a YAML syntax error, or the
// start of a document for findings about a whole document.
import { formatLintFinding, lintPolicyText } from '../../../../src/policy/compile/lint';
import { PEM } from '../helpers';

const HEAD = 'apiVersion: portcullis.dev/v1alpha1\nkind: ClusterImagePolicy\nmetadata: {name: p}\n';

describe('lint positions', () => {
  test.each([
    [
      'a bad value points at its key',
      `${HEAD}spec:\n  mode: enfroce\n  images: [{glob: "x/**"}]\n  authorities:\n    - name: a\n      cosign: {key: {data: "k"}}\n`,
      'spec.mode',
      [5, 3],
    ],
    [
      'a nested field in a flow mapping points at its key',
      `${HEAD}spec:\n  images: [{glob: "x/**"}]\n  authorities:\n    - name: a\n      cosign: {key: {data: "not a key"}}\n`,
      'spec.authorities[0].cosign.key.data',
      [8, 22],
    ],
    [
      'a missing field points at its nearest parent key',
      `${HEAD}spec:\n  images: [{glob: "x/**"}]\n`,
      'spec.authorities',
      [4, 1],
    ],
    [
      'a YAML syntax error points where the parser stopped',
      `${HEAD}spec:\n  images: [{glob: "x/**"}\n`,
      '<document-1>',
      [6, 1],
    ],
    [
      'a document of another kind points at the document start',
      `${HEAD}spec: {}\n---\n  apiVersion: v1\n  kind: Service\n  metadata: {name: s}\n`,
      'kind',
      [6, 3],
    ],
  ])('%s', (_name, text, path, [line, column]) => {
    const findings = lintPolicyText(text, 'p.yaml');
    const finding = findings.find((f) => f.path === path);
    expect(findings.map((f) => f.path)).toContain(path);
    expect([finding?.line, finding?.column]).toEqual([line, column]);
  });

  test('the CLI line is file:line:col: path: severity: message [CODE]', () => {
    const [finding] = lintPolicyText(
      `${HEAD}spec:\n  mode: enfroce\n  images: [{glob: "x/**"}]\n`,
      'dir/p.yaml',
    );
    expect(formatLintFinding(finding!)).toMatch(
      /^dir\/p\.yaml:\d+:\d+: spec\.\S+: error: .+ \[POLICY_[A-Z_]+\]$/,
    );
  });

  test('a policy whose every images entry lists tags is a warning: digest-only references escape it', () => {
    const spec = (images: string) =>
      `${HEAD}spec:\n  images: ${images}\n  authorities:\n    - name: a\n      cosign: {key: {data: ${JSON.stringify(PEM)}}}\n`;
    const codes = (images: string) => lintPolicyText(spec(images), 'p.yaml').map((f) => f.code);
    const tagsOnly = lintPolicyText(spec('[{glob: "x/app", tags: [v1]}]'), 'p.yaml');
    expect(tagsOnly.find((f) => f.code === 'POLICY_TAGS_ONLY')).toMatchObject({
      severity: 'warning',
      path: 'spec.images',
      line: 5,
    });
    expect(codes('[{glob: "x/app", tags: [v1]}, {glob: "x/app"}]')).not.toContain('POLICY_TAGS_ONLY');
  });
});
