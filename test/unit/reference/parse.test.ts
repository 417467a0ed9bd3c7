import {
  ImageReferenceError,
  MAX_REFERENCE_LENGTH,
  parseImageReference,
  type ImageRef,
  type ReferenceErrorCode,
} from '../../../src/reference';

const H64 = '0123456789abcdef'.repeat(4);
const H128 = H64 + H64;
const D = `sha256:${H64}`;

type Row = [input: string, registry: string, repository: string, tag?: string, digest?: string];

// prettier-ignore
const VALID: Row[] = [
  ['nginx', 'docker.io', 'library/nginx', 'latest'],
  ['nginx:1.25', 'docker.io', 'library/nginx', '1.25'],
  ['docker.io/nginx', 'docker.io', 'library/nginx', 'latest'],
  ['docker.io/library/nginx', 'docker.io', 'library/nginx', 'latest'],
  ['index.docker.io/library/nginx:latest', 'docker.io', 'library/nginx', 'latest'],
  ['index.docker.io/nginx', 'docker.io', 'library/nginx', 'latest'],
  ['registry-1.docker.io/library/nginx', 'registry-1.docker.io', 'library/nginx', 'latest'],
  ['registry-1.docker.io/nginx', 'registry-1.docker.io', 'nginx', 'latest'],
  ['bitnami/redis', 'docker.io', 'bitnami/redis', 'latest'],
  ['bitnami/redis:7.2', 'docker.io', 'bitnami/redis', '7.2'],
  ['a/b/c/d', 'docker.io', 'a/b/c/d', 'latest'],
  ['example.com', 'docker.io', 'library/example.com', 'latest'],
  ['localhost', 'docker.io', 'library/localhost', 'latest'],
  ['localhost:5000', 'docker.io', 'library/localhost', '5000'],
  ['localhost/app', 'localhost', 'app', 'latest'],
  ['localhost:5000/app:v1', 'localhost:5000', 'app', 'v1'],
  ['registry.example.com/team/app', 'registry.example.com', 'team/app', 'latest'],
  ['REGISTRY.Example.COM/team/app', 'registry.example.com', 'team/app', 'latest'],
  ['registry.example.com:443/team/app', 'registry.example.com:443', 'team/app', 'latest'],
  ['myregistry:5000/app', 'myregistry:5000', 'app', 'latest'],
  ['127.0.0.1:5000/app:dev', '127.0.0.1:5000', 'app', 'dev'],
  ['[::1]:5000/repo', '[::1]:5000', 'repo', 'latest'],
  ['[::1]/repo:t', '[::1]', 'repo', 't'],
  ['[2001:DB8::1]:443/x/y', '[2001:db8::1]:443', 'x/y', 'latest'],
  ['ghcr.io/org/app:v1.2.3-rc.1', 'ghcr.io', 'org/app', 'v1.2.3-rc.1'],
  ['quay.io/org/app:_internal', 'quay.io', 'org/app', '_internal'],
  ['quay.io/org/app:UPPER_case', 'quay.io', 'org/app', 'UPPER_case'],
  ['quay.io/org/app:' + 'x'.repeat(128), 'quay.io', 'org/app', 'x'.repeat(128)],
  [`nginx@${D}`, 'docker.io', 'library/nginx', undefined, D],
  [`nginx:1.25@${D}`, 'docker.io', 'library/nginx', '1.25', D],
  [`registry.example.com:5000/team/app:v1@${D}`, 'registry.example.com:5000', 'team/app', 'v1', D],
  [`nginx@sha512:${H128}`, 'docker.io', 'library/nginx', undefined, `sha512:${H128}`],
  ['a-b/c_d/e__f/g--h/i.j', 'docker.io', 'a-b/c_d/e__f/g--h/i.j', 'latest'],
  ['my-registry.local/app', 'my-registry.local', 'app', 'latest'],
  ['xn--bcher-kva.example/app', 'xn--bcher-kva.example', 'app', 'latest'],
  ['0/1', 'docker.io', '0/1', 'latest'],
  ['library/nginx', 'docker.io', 'library/nginx', 'latest'],
  ['docker.io/library/library', 'docker.io', 'library/library', 'latest'],
  ['docker.io/library', 'docker.io', 'library/library', 'latest'],
  ['gcr.io/distroless/static:nonroot', 'gcr.io', 'distroless/static', 'nonroot'],
  ['sha256:' + H64, 'docker.io', 'library/sha256', H64],
  ['a:b', 'docker.io', 'library/a', 'b'],
  ['host.x/a:b', 'host.x', 'a', 'b'],
];

describe('parseImageReference normalises like the runtime', () => {
  // Each row is passed whole: jest would hand a `done` callback to missing trailing parameters.
  it.each(VALID.map((row) => [row[0], row] as const))(
    '%s',
    (input, [, registry, repository, tag, digest]) => {
      const expected: ImageRef = {
        registry,
        repository,
        name: `${registry}/${repository}`,
        ...(tag === undefined ? {} : { tag }),
        ...(digest === undefined ? {} : { digest }),
        original: input,
      };
      expect(parseImageReference(input)).toStrictEqual(expected);
    },
  );
});

// prettier-ignore
const INVALID: [input: string, code: ReferenceErrorCode, reason: RegExp][] = [
  ['', 'REFERENCE_INVALID', /empty/],
  [' ', 'REFERENCE_INVALID', /whitespace/],
  [' nginx', 'REFERENCE_INVALID', /whitespace at position 0/],
  ['nginx ', 'REFERENCE_INVALID', /whitespace/],
  ['ngi\tnx', 'REFERENCE_INVALID', /whitespace/],
  ['nginx\n', 'REFERENCE_INVALID', /whitespace/],
  ['ngi\u0000nx', 'REFERENCE_INVALID', /control character/],
  ['nginx\u007f', 'REFERENCE_INVALID', /control character/],
  ['nginé', 'REFERENCE_INVALID', /non-ASCII/],
  ['ｎginx', 'REFERENCE_INVALID', /non-ASCII/],
  ['nginx\u2028', 'REFERENCE_INVALID', /non-ASCII/],
  ['Nginx', 'REFERENCE_INVALID', /repository names must be lowercase/],
  ['docker.io/Library/nginx', 'REFERENCE_INVALID', /lowercase/],
  ['Team/app', 'REFERENCE_INVALID', /lowercase.*registry host needs/],
  ['LOCALHOST/app', 'REFERENCE_INVALID', /lowercase/],
  ['DOCKER.IO/nginx', 'REFERENCE_INVALID', /Docker Hub host/],
  ['Index.Docker.io/library/nginx', 'REFERENCE_INVALID', /Docker Hub host/],
  ['nginx@', 'REFERENCE_INVALID', /followed by a digest/],
  ['@' + D, 'REFERENCE_INVALID', /repository name is missing/],
  [':tag', 'REFERENCE_INVALID', /repository name is missing/],
  ['nginx:', 'REFERENCE_INVALID', /followed by a tag/],
  ['::', 'REFERENCE_INVALID', /missing/],
  ['a::b', 'REFERENCE_INVALID', /tag/],
  ['nginx:1:2', 'REFERENCE_INVALID', /tag/],
  ['nginx:-x', 'REFERENCE_INVALID', /tag/],
  ['nginx:.x', 'REFERENCE_INVALID', /tag/],
  ['nginx:' + 'x'.repeat(129), 'REFERENCE_INVALID', /longer than 128/],
  ['nginx/', 'REFERENCE_INVALID', /empty segment/],
  ['/nginx', 'REFERENCE_INVALID', /empty segment/],
  ['a//b', 'REFERENCE_INVALID', /empty segment/],
  ['registry.example.com/', 'REFERENCE_INVALID', /empty segment/],
  ['a/../b', 'REFERENCE_INVALID', /path segment "\.\."/],
  ['example.com/..', 'REFERENCE_INVALID', /path segment/],
  ['a/.b', 'REFERENCE_INVALID', /path segment/],
  ['a/b.', 'REFERENCE_INVALID', /path segment/],
  ['a/b___c', 'REFERENCE_INVALID', /path segment/],
  ['a/b..c', 'REFERENCE_INVALID', /path segment/],
  ['a/-b', 'REFERENCE_INVALID', /path segment/],
  ['example..com/app', 'REFERENCE_INVALID', /registry host/],
  ['-example.com/app', 'REFERENCE_INVALID', /registry host/],
  ['example-.com/app', 'REFERENCE_INVALID', /registry host/],
  ['example.com./app', 'REFERENCE_INVALID', /registry host/],
  ['ex_ample.com/app', 'REFERENCE_INVALID', /registry host/],
  ['example.com:/app', 'REFERENCE_INVALID', /port/],
  ['example.com:0/app', 'REFERENCE_INVALID', /port/],
  ['example.com:65536/app', 'REFERENCE_INVALID', /port/],
  ['example.com:http/app', 'REFERENCE_INVALID', /port/],
  ['example.com:1:2/app', 'REFERENCE_INVALID', /port/],
  ['::1/app', 'REFERENCE_INVALID', /registry host ""/],
  ['[::1/app', 'REFERENCE_INVALID', /IPv6/],
  ['[zz::1]:5000/app', 'REFERENCE_INVALID', /IPv6/],
  ['[::1]x:5000/app', 'REFERENCE_INVALID', /IPv6/],
  ['[::1]', 'REFERENCE_INVALID', /path segment "\["/],
  [H64, 'REFERENCE_INVALID', /image ID/],
  ['nginx@sha256', 'REFERENCE_INVALID', /sha256:/],
  ['nginx@sha256:abc', 'REFERENCE_INVALID', /sha256:/],
  [`nginx@sha256:${H64}0`, 'REFERENCE_INVALID', /exactly 64/],
  [`nginx@sha256:${H64.toUpperCase()}`, 'REFERENCE_INVALID', /lowercase/],
  [`nginx@sha512:${H64}`, 'REFERENCE_INVALID', /exactly 128/],
  [`nginx@sha256:${'g'.repeat(64)}`, 'REFERENCE_INVALID', /sha256:/],
  [`nginx@${D}@${D}`, 'REFERENCE_INVALID', /more than one '@'/],
  [`nginx@:${H64}`, 'REFERENCE_INVALID', /sha256:/],
  [`nginx@md5:${'a'.repeat(32)}`, 'REFERENCE_UNSUPPORTED_DIGEST', /"md5" is not supported/],
  [`nginx@sha384:${'a'.repeat(96)}`, 'REFERENCE_UNSUPPORTED_DIGEST', /sha384/],
  [`nginx@SHA256:${H64}`, 'REFERENCE_UNSUPPORTED_DIGEST', /SHA256/],
  [`nginx@constructor:${H64}`, 'REFERENCE_UNSUPPORTED_DIGEST', /constructor/],
  [`nginx@__proto__:${H64}`, 'REFERENCE_INVALID', /sha256:/],
  ['a/' + 'b'.repeat(244), 'REFERENCE_TOO_LONG', /255/],
  ['a'.repeat(MAX_REFERENCE_LENGTH + 1), 'REFERENCE_TOO_LONG', /4096/],
  ['a'.repeat(10_000), 'REFERENCE_TOO_LONG', /4096/],
];

describe('parseImageReference rejects junk', () => {
  it.each(INVALID)('%j → %s', (input, code, reason) => {
    // The reason is the bare "what is wrong"; the message quotes the input, then gives the reason.
    expect(() => parseImageReference(input)).toThrowWithCode(code, {
      instanceOf: ImageReferenceError,
      details: { reason: expect.stringMatching(reason) },
      message: expect.stringMatching(new RegExp(`is not a valid reference: .*${reason.source}`)),
    });
  });

  it('accepts a name of exactly 255 characters and rejects 256', () => {
    const repo = (n: number) => 'registry.example.com/' + 'a'.repeat(n - 'registry.example.com/'.length);
    expect(parseImageReference(repo(255)).name).toHaveLength(255);
    expect(() => parseImageReference(repo(256))).toThrow(/longer than 255/);
  });

  it('quotes the input in the message, truncated and with control characters escaped', () => {
    expect(() => parseImageReference('Nginx')).toThrow(
      'image "Nginx" is not a valid reference: repository names must be lowercase',
    );
    const long = 'X'.repeat(300) + '\u0000';
    const err = (() => {
      try {
        parseImageReference(long);
      } catch (e) {
        return e as ImageReferenceError;
      }
      throw new Error('expected a throw');
    })();
    expect(err.message).toContain('"' + 'X'.repeat(120) + '"… (301 characters)');
    expect(err.message).not.toContain('\u0000');
    expect(err.details.input).toContain('(301 characters)');
    const ctl = 'a\u0001"b\\';
    expect(() => parseImageReference(ctl)).toThrow('image "a\\u0001\\"b\\\\" is not a valid reference');
  });

  it('rejects a non-string with the domain error, not a TypeError', () => {
    expect(() => parseImageReference(42 as unknown as string)).toThrow(ImageReferenceError);
  });
});
