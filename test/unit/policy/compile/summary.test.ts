// status.summary: what the IMAGES and AUTHORITIES printer columns show, read from an unvalidated spec.
import { statusChanged } from '../../../../src/kube/status-diff';
import { PolicyError } from '../../../../src/policy/errors';
import { toPolicyStatus } from '../../../../src/policy/compile/status';
import { toPolicySummary } from '../../../../src/policy/compile/summary';
import { MAX_SUMMARY_LENGTH } from '../../../../src/policy/crd/schema';

const globs = (...g: string[]): { glob: string }[] => g.map((glob) => ({ glob }));

describe('toPolicySummary', () => {
  test.each([
    { name: 'one glob', spec: { images: globs('a/**') }, images: 'a/**' },
    { name: 'three globs', spec: { images: globs('a', 'b', 'c') }, images: 'a, b, c' },
    { name: 'five globs', spec: { images: globs('a', 'b', 'c', 'd', 'e') }, images: 'a, b, c +2' },
    { name: 'no images field', spec: {}, images: '' },
    { name: 'not an object', spec: 'garbage', images: '' },
    { name: 'malformed entries skipped', spec: { images: [{ glob: 'a' }, 7, { glob: 1 }] }, images: 'a' },
    {
      name: 'tags as a reference names them',
      spec: {
        images: [
          { glob: 'a', tags: ['v1'] },
          { glob: 'b', tags: ['v1', 'v2', 3] },
          { glob: 'c', tags: 'x' },
        ],
      },
      images: 'a:v1, b:{v1,v2}, c',
    },
  ])('images: $name', ({ spec, images }) => {
    expect(toPolicySummary(spec).images).toBe(images);
  });

  test('authorities show as name(kind), +N past three', () => {
    const spec = {
      authorities: [
        { name: 'release', cosign: {} },
        { name: 'dct', notaryV1: {} },
        { name: 'np', notation: {} },
        { name: 'oci', ociVault: {} },
        { name: 'none' },
      ],
    };
    expect(toPolicySummary(spec).authorities).toBe('release(cosign), dct(notaryV1), np(notation) +2');
  });

  test('a simpleSigning authority shows its kind', () => {
    expect(toPolicySummary({ authorities: [{ name: 'gpg', simpleSigning: {} }] }).authorities).toBe(
      'gpg(simpleSigning)',
    );
  });

  test(`a summary longer than ${MAX_SUMMARY_LENGTH} characters is cut and ends in …`, () => {
    const long = 'r/'.padEnd(500, 'x');
    const text = toPolicySummary({ images: globs(long, long, long) }).images;
    expect(text).toHaveLength(MAX_SUMMARY_LENGTH);
    expect(text.endsWith('…')).toBe(true);
  });
});

describe('toPolicyStatus with the spec', () => {
  const error = new PolicyError('POLICY_INVALID', 'broken');
  test('carries the summary next to Ready, also when not ready; a changed summary is a status change', () => {
    const spec = { images: globs('a', 'b'), authorities: [{ name: 'k', cosign: {} }] };
    const status = toPolicyStatus(1, { error }, new Date(0), undefined, spec);
    expect(status.summary).toEqual({ images: 'a, b', authorities: 'k(cosign)' });
    const same = toPolicyStatus(1, { error }, new Date(1), status, spec);
    expect(statusChanged(status, same)).toBe(false);
    const more = toPolicyStatus(1, { error }, new Date(1), status, { ...spec, images: globs('a', 'b', 'c') });
    expect(statusChanged(status, more)).toBe(true);
  });
});
