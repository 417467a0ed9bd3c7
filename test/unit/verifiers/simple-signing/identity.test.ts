// signedIdentity matching, table-driven after containers/image's policy_reference_match_test.go. One difference
// is deliberate and faithful: the image being admitted is what the docker transport pulls, so a bare name is
// `:latest` (containers/image's docker transport tags a name-only reference the same way). Another is a choice
// where upstream has none: an image with both a tag and a digest (see src/verifiers/simple-signing/identity.ts).
import type { CompiledSignedIdentity } from '../../../../src/policy/compile/compiled.types';
import { parseImageReference } from '../../../../src/reference';
import { matchesSignedIdentity } from '../../../../src/verifiers/simple-signing/identity';

const D = '@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';
const D2 = '@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const RHEL = 'registry.access.redhat.com/rhel7/rhel:7.2.3';
const RHEL_UNTAGGED = 'registry.access.redhat.com/rhel7/rhel';

// judge runs one rule on an image (as a pod names it) and a signed docker-reference.
function judge(identity: CompiledSignedIdentity, image: string, signed: string): boolean {
  return matchesSignedIdentity(identity, parseImageReference(image), signed);
}

describe('matchRepoDigestOrExact (the default)', () => {
  const rule: CompiledSignedIdentity = { type: 'matchRepoDigestOrExact' };
  test.each([
    ['busybox:latest', 'busybox:latest', true],
    ['busybox', 'busybox:latest', true], // the runtime pulls busybox:latest
    ['docker.io/library/busybox:latest', 'busybox:latest', true],
    [RHEL, RHEL, true],
    ['busybox:latest', 'busybox:notlatest', false],
    [`${RHEL}tagsuffix`, RHEL, false],
    ['busybox:notlatest', 'docker.io/library/busybox:latest', false],
    ['busybox:latest', 'busybox', false], // a signed name only is never accepted
    [`busybox${D}`, 'busybox', false],
    [RHEL, RHEL_UNTAGGED, false],
    ['busybox:latest', `busybox${D}`, false],
    [`busybox${D}`, 'busybox:latest', true], // by digest: the repository must match
    [`busybox${D}`, `busybox${D2}`, true],
    [`busybox${D}`, 'notbusybox:latest', false],
    // tag and digest (a pinned pod): the tag, or the whole reference, exactly (no upstream semantics: the
    // docker transport refuses such references; see identity.ts)
    [`busybox:latest${D}`, 'busybox:latest', true],
    [`busybox:latest${D}`, `busybox:latest${D}`, true],
    [`busybox:latest${D}`, 'busybox:notlatest', false],
    [`busybox:latest${D}`, `busybox:latest${D2}`, false],
    [`busybox:latest${D}`, `busybox${D}`, false],
    ['busybox:latest', 'UPPERCASE_IS_INVALID', false],
    ['busybox:latest', '', false],
  ])('image %s, signed %s → %s', (image, signed, expected) => {
    expect(judge(rule, image, signed)).toBe(expected);
  });
});

describe('matchExact', () => {
  const rule: CompiledSignedIdentity = { type: 'matchExact' };
  test.each([
    ['busybox:latest', 'busybox:latest', true],
    ['library/busybox:latest', 'busybox:latest', true],
    [`busybox${D}`, `busybox${D}`, true],
    ['busybox:latest', 'busybox:notlatest', false],
    ['busybox:latest', 'hostname/library/busybox:latest', false],
    ['busybox:latest', `busybox${D}`, false],
    [`busybox${D}`, `busybox${D2}`, false],
    [`busybox${D}`, 'busybox:latest', false],
    [`busybox:latest${D}`, `busybox${D}`, false],
    [`busybox:latest${D}`, 'busybox:latest', true], // pinned: judged as its tag
    ['busybox:latest', 'busybox', false],
  ])('image %s, signed %s → %s', (image, signed, expected) => {
    expect(judge(rule, image, signed)).toBe(expected);
  });
});

describe('matchRepository', () => {
  const rule: CompiledSignedIdentity = { type: 'matchRepository' };
  test.each([
    ['busybox:latest', 'busybox:notlatest', true],
    [`${RHEL}tagsuffix`, RHEL, true],
    ['busybox:latest', 'busybox', true],
    [`busybox${D}`, `busybox${D2}`, true],
    [RHEL, RHEL_UNTAGGED, true],
    ['busybox:latest', 'notbusybox:latest', false],
    ['hostname/library/busybox:latest', 'busybox:notlatest', false],
    ['busybox:latest', 'INVALID', false],
  ])('image %s, signed %s → %s', (image, signed, expected) => {
    expect(judge(rule, image, signed)).toBe(expected);
  });
});

describe('exactReference and exactRepository ignore the image', () => {
  test.each([
    [{ type: 'exactReference', dockerReference: 'docker.io/library/busybox:latest' }, 'busybox:latest', true],
    [{ type: 'exactReference', dockerReference: 'docker.io/library/busybox:latest' }, 'busybox:v2', false],
    [{ type: 'exactReference', dockerReference: 'docker.io/library/busybox:latest' }, 'busybox', false],
    [{ type: 'exactReference', dockerReference: `docker.io/library/busybox${D}` }, `busybox${D}`, true],
    [{ type: 'exactRepository', dockerRepository: 'quay.io/team/app' }, 'quay.io/team/app:any', true],
    [{ type: 'exactRepository', dockerRepository: 'quay.io/team/app' }, 'quay.io/team/app', true],
    [{ type: 'exactRepository', dockerRepository: 'quay.io/team/app' }, 'quay.io/team/other:v1', false],
  ] as const)('%o, signed %s → %s', (rule, signed, expected) => {
    expect(judge(rule, 'unrelated.example/some/image:v9', signed)).toBe(expected);
  });
});

describe('remapIdentity', () => {
  const remap = (prefix: string, signedPrefix: string): CompiledSignedIdentity => ({
    type: 'remapIdentity',
    prefix,
    signedPrefix,
  });
  test.each([
    [
      remap('mirror.example', 'vendor.example'),
      'mirror.example/ns/image:tag',
      'vendor.example/ns/image:tag',
      true,
    ],
    [
      remap('mirror.example', 'vendor.example'),
      'mirror.example/ns/image:tag',
      'mirror.example/ns/image:tag',
      false,
    ],
    [
      remap('mirror.example', 'vendor.example'),
      'different.com/ns/image:tag',
      'different.com/ns/image:tag',
      true,
    ],
    [
      remap('mirror.example', 'vendor.example'),
      'prefixmirror.example/ns/image:tag',
      'vendor.example/ns/image:tag',
      false,
    ],
    [
      remap('mirror.example/ns', 'vendor.example/v-ns'),
      'mirror.example/other/image:tag',
      'vendor.example/v-ns/image:tag',
      false,
    ],
    [
      remap('example.com/mirror', 'example.com/vendor'),
      'example.com/mirror/image:tag',
      'example.com/vendor/image:tag',
      true,
    ],
    [
      remap('docker.io', 'not-docker-signed.example/ns'),
      'busybox:latest',
      'not-docker-signed.example/ns/library/busybox:latest',
      true,
    ],
    [
      remap('docker.io/library', 'signed.example/ns'),
      'busybox:latest',
      'signed.example/ns/busybox:latest',
      true,
    ],
    [remap('mirror.example', 'vendor.example'), `mirror.example/image${D}`, 'vendor.example/image:any', true],
    [
      remap('mirror.example', 'vendor.example'),
      `mirror.example/image${D}`,
      'mirror.example/image:any',
      false,
    ],
    [
      remap('mirror.example', 'vendor.example'),
      'mirror.example/image:tag',
      'vendor.example/image:other',
      false,
    ],
    // a rewrite that is not a fully qualified reference matches nothing (containers/image: ParseNamed fails)
    [
      remap('mirror.example/ns/image', 'notlocalhost'),
      'mirror.example/ns/image:tag',
      'notlocalhost:tag',
      false,
    ],
    [
      remap('mirror.example/ns/image', 'vendor.example:5000'),
      `mirror.example/ns/image${D}`,
      `vendor.example:5000${D}`,
      false,
    ],
  ])('%o: image %s, signed %s → %s', (rule, image, signed, expected) => {
    expect(judge(rule, image, signed)).toBe(expected);
  });
});

test('a signed host differing only in case is not the same host (docker/reference keeps case)', () => {
  expect(judge({ type: 'matchRepository' }, 'quay.io/team/app:v1', 'Quay.io/team/app:v1')).toBe(false);
});
