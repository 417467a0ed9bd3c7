import {
  formatReference,
  ImageReferenceError,
  parseImageReference,
  pinnedReference,
  registryApiHost,
} from '../../../src/reference';

const H = 'ab'.repeat(32);
const D = `sha256:${H}`;
const D2 = `sha256:${'cd'.repeat(32)}`;

describe('formatReference', () => {
  it.each([
    ['nginx', 'docker.io/library/nginx:latest'],
    ['nginx:1.25', 'docker.io/library/nginx:1.25'],
    [`nginx@${D}`, `docker.io/library/nginx@${D}`],
    [`nginx:1.25@${D}`, `docker.io/library/nginx:1.25@${D}`],
    ['REGISTRY.example.com:5000/team/app:V1', 'registry.example.com:5000/team/app:V1'],
    ['[::1]:5000/repo', '[::1]:5000/repo:latest'],
    ['index.docker.io/bitnami/redis', 'docker.io/bitnami/redis:latest'],
  ])('%s → %s', (input, expected) => {
    expect(formatReference(parseImageReference(input))).toBe(expected);
  });

  it('adds latest to a hand-built reference with neither tag nor digest', () => {
    const ref = { registry: 'r.io', repository: 'a', name: 'r.io/a', original: 'r.io/a' };
    expect(formatReference(ref)).toBe('r.io/a:latest');
  });
});

describe('pinnedReference', () => {
  it.each([
    ['nginx', D, `docker.io/library/nginx:latest@${D}`],
    ['nginx:1.25', D, `docker.io/library/nginx:1.25@${D}`],
    [`nginx@${D}`, D, `docker.io/library/nginx@${D}`],
    [`registry.example.com/app:v1@${D}`, D, `registry.example.com/app:v1@${D}`],
    ['ghcr.io/o/a:v1', `sha512:${H}${H}`, `ghcr.io/o/a:v1@sha512:${H}${H}`],
  ])('%s pinned to %s', (input, digest, expected) => {
    expect(pinnedReference(parseImageReference(input), digest)).toBe(expected);
  });

  it.each([
    ['nginx', 'sha256:abc', 'REFERENCE_INVALID'],
    ['nginx', `sha256:${H.toUpperCase()}`, 'REFERENCE_INVALID'],
    ['nginx', `sha256:${H}\n`, 'REFERENCE_INVALID'],
    ['nginx', `md5:${H}`, 'REFERENCE_UNSUPPORTED_DIGEST'],
    [`nginx@${D}`, D2, 'REFERENCE_INVALID'],
  ])('%s refuses %j', (input, digest, code) => {
    expect(() => pinnedReference(parseImageReference(input), digest)).toThrowWithCode(code, {
      instanceOf: ImageReferenceError,
    });
  });
});

describe('registryApiHost', () => {
  it.each([
    ['docker.io', 'registry-1.docker.io'],
    ['registry-1.docker.io', 'registry-1.docker.io'],
    ['ghcr.io', 'ghcr.io'],
    ['localhost:5000', 'localhost:5000'],
    ['[::1]:5000', '[::1]:5000'],
  ])('%s → %s', (registry, host) => {
    expect(registryApiHost(registry)).toBe(host);
  });
});
