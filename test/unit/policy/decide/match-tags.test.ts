// Tag-limited images entries and excludeImages (docs/policy.md#tags-and-exclusions): a tag adds a policy as
// written; an exclusion by tag takes a policy off only when the tag is bound to what runs.
import { compilePolicies, selectionSubject, selectPolicies } from '../../../../src/policy';
import { toNamespaceLabelFacts } from '../../../../src/policy/decide/namespace-labels';
import { parseImageReference } from '../../../../src/reference/parse';
import { clusterPolicy, secretsOf } from '../helpers';

const REPO = 'registry.example.com/team/app';
const DIGEST = `sha256:${'ab'.repeat(32)}`;
const snapshot = compilePolicies(
  [
    clusterPolicy({ images: [{ glob: REPO }], excludeImages: [{ glob: REPO, tags: ['edge'] }] }, 'repo'),
    clusterPolicy({ images: [{ glob: REPO, tags: ['edge', 'latest'] }] }, 'edge'),
    clusterPolicy({ images: [{ glob: 'registry.example.com/**' }], excludeImages: [{ glob: REPO }] }, 'host'),
  ],
  { secrets: secretsOf() },
);

// names lists the policies that govern `image`, with its tag bound or not.
function names(image: string, tagBound: boolean): string[] {
  const subject = selectionSubject(parseImageReference(image), tagBound);
  return selectPolicies(snapshot.policies, subject, 'ns', toNamespaceLabelFacts('ns', {})).map((p) => p.name);
}

describe('tag-limited images entries and excludeImages', () => {
  it('compiles every policy', () => {
    expect(snapshot.broken).toEqual([]);
  });

  it('a tag-only reference: its tag selects and excludes', () => {
    expect(names(`${REPO}:edge`, false)).toEqual(['edge']);
    expect(names(`${REPO}:v1`, false)).toEqual(['repo']);
  });

  it('a bare name is latest', () => {
    expect(names(REPO, false)).toEqual(['repo', 'edge']);
  });

  it('a digest-only reference names no tag: tag-limited entries neither add nor exclude', () => {
    expect(names(`${REPO}@${DIGEST}`, false)).toEqual(['repo']);
    expect(names(`${REPO}@${DIGEST}`, true)).toEqual(['repo']);
  });

  it('tag and digest: the tag adds as written, and excludes only when bound', () => {
    expect(names(`${REPO}:edge@${DIGEST}`, false)).toEqual(['repo', 'edge']);
    expect(names(`${REPO}:edge@${DIGEST}`, true)).toEqual(['edge']);
  });

  it('an exclusion without tags takes out every reference of the name', () => {
    expect(names('registry.example.com/team/other:v1', false)).toEqual(['host']);
    expect(names(`${REPO}:v1`, false)).not.toContain('host');
  });

  it('refuses an invalid tag or exclusion glob at its path', () => {
    const bad = compilePolicies(
      [
        clusterPolicy({ images: [{ glob: REPO, tags: ['-x'] }] }, 'bad-tag'),
        clusterPolicy({ excludeImages: [{ glob: `${REPO}:v1` }] }, 'bad-exclusion'),
        clusterPolicy({ images: [{ glob: REPO, tags: [] }] }, 'empty-tags'),
      ],
      { secrets: secretsOf() },
    );
    const messages = bad.broken.map((b) => `${b.policy.name}: ${b.reason}`);
    expect(messages).toEqual([
      expect.stringMatching(/^bad-tag: .*spec\.images\[0\]\.tags\[0\]: \[POLICY_GLOB_INVALID\]/),
      expect.stringMatching(/^bad-exclusion: .*spec\.excludeImages\[0\]\.glob: \[POLICY_GLOB_INVALID\]/),
      expect.stringMatching(/^empty-tags: .*spec\.images\[0\]\.tags/),
    ]);
  });

  it('a broken policy ignores its tags and exclusions: it denies every tag of its names', () => {
    const broken = compilePolicies(
      [
        clusterPolicy({
          images: [{ glob: REPO, tags: ['v1'] }],
          excludeImages: [{ glob: REPO }],
          authorities: [],
        }),
      ],
      { secrets: secretsOf() },
    );
    const stand = broken.broken.map((b) => b.policy);
    const subject = selectionSubject(parseImageReference(`${REPO}:v2`), false);
    expect(selectPolicies(stand, subject, 'ns', toNamespaceLabelFacts('ns', {}))).toHaveLength(1);
  });
});
