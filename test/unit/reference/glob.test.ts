import { compileImageGlob, ImageReferenceError, parseImageReference } from '../../../src/reference';

// matches runs an image string through the real parser, as the engine does, before matching.
function matches(glob: string, image: string): boolean {
  return compileImageGlob(glob).matches(parseImageReference(image).name);
}

// Security-critical: each row is an attempt to get an image governed (or not) by the wrong policy.
// prettier-ignore
const BYPASS: [glob: string, image: string, expected: boolean][] = [
  ['docker.io/**', 'docker.io.evil.com/x', false],
  ['docker.io/**', 'docker.io.evil.com/library/nginx', false],
  ['docker.io/**', 'nginx', true],
  ['docker.io/**', 'bitnami/redis', true],
  ['docker.io/**', 'registry-1.docker.io/library/nginx', false],
  ['docker.io/library/nginx', 'evil.com/docker.io/library/nginx', false],
  ['docker.io/library/nginx', 'nginx', true],
  ['docker.io/library/nginx', 'docker.io/nginx', true],
  ['docker.io/library/nginx', 'index.docker.io/library/nginx:latest', true],
  ['docker.io/library/nginx', 'index.docker.io/nginx', true],
  ['docker.io/library/nginx', 'nginx:1.25@sha256:' + 'a'.repeat(64), true],
  ['docker.io/library/nginx', 'nginx-evil', false],
  ['docker.io/library/nginx', 'library/nginx/x', false],
  ['docker.io/library/nginx', 'evil/nginx', false],
  ['nginx', 'docker.io/library/nginx', true],
  ['nginx', 'evil.com/nginx', false],
  ['nginx', 'evil.com/library/nginx', false],
  ['registry.example.com/team/**', 'registry.example.com.evil.io/team/app', false],
  ['registry.example.com/team/**', 'registry.example.com/teamevil/app', false],
  ['registry.example.com/team/**', 'registry.example.com:443/team/app', false],
  ['registry.example.com/team/**', 'registry.example.com/team', false],
  ['registry.example.com/team/**', 'registry.example.com/team/app', true],
  ['registry.example.com/team/**', 'registry.example.com/team/a/b', true],
  ['registry.example.com/team/**', 'REGISTRY.example.com/team/app', true],
  ['registry.example.com/team/**', 'evil.com/registry.example.com/team/app', false],
  ['registry.example.com/team/**', 'registryXexample.com/team/app', false],
  ['REGISTRY.EXAMPLE.COM/team/**', 'registry.example.com/team/app', true],
  ['registry.example.com:443/team/**', 'registry.example.com:443/team/app', true],
  ['registry.example.com:443/team/**', 'registry.example.com/team/app', false],
  ['registry.example.com/team/*', 'registry.example.com/team/a/b', false],
  ['registry.example.com/team/*', 'registry.example.com/team/app', true],
  ['registry.example.com/*/app', 'registry.example.com/a/b/app', false],
  ['registry.example.com/*/app', 'registry.example.com/a/app', true],
  ['*.example.com/app', 'evil.com/x.example.com/app', false],
  ['*.example.com/app', 'a.example.com/app', true],
  ['*.example.com/app', 'example.com/app', false],
  ['a.b.io/x', 'axb.io/x', false],
  ['a.b.io/x', 'a-b.io/x', false],
  ['a.b/x', 'a.b/x', true],
  ['a.b/x', 'axb/x', false],
  ['a.b/x-y', 'a.b/x-y', true],
  ['[::1]:5000/repo', '[::1]:5000/repo', true],
  ['[::1]:5000/repo', '[::2]:5000/repo', false],
  ['localhost:5000/**', 'localhost:5000/a/b', true],
  ['localhost:5000/**', 'localhost:50001/a', false],
  ['localhost/**', 'localhost:5000/a', false],
  ['team/**', 'team/app', true],
  ['team/**', 'docker.io/team/app', true],
  ['team/**', 'evil.io/team/app', false],
  ['*', 'nginx', true],
  ['*', 'bitnami/redis', false],
  ['docker.io/*', 'nginx', true],
  ['docker.io/*', 'bitnami/redis', false],
  ['**', 'evil.com/anything/at/all', true],
  ['**', 'nginx', true],
  ['**/nginx', 'evil.com/nginx', false],
  ['**/nginx', 'library/nginx', true],
  ['ghcr.io/org/app-*', 'ghcr.io/org/app-api', true],
  ['ghcr.io/org/app-*', 'ghcr.io/org/app-api/sub', false],
  ['ghcr.io/org/app-**', 'ghcr.io/org/app-api/sub', true],
  ['ghcr.io/org/**/db', 'ghcr.io/org/x/y/db', true],
  ['ghcr.io/org/**/db', 'ghcr.io/org/db', false],
  ['ghcr.io/org/**/db', 'ghcr.io/org/x/dbx', false],
];

describe('image globs cannot be bypassed', () => {
  it.each(BYPASS)('glob %s vs image %s → %s', (glob, image, expected) => {
    expect(matches(glob, image)).toBe(expected);
  });
});

describe('compileImageGlob normalises like a reference name', () => {
  it.each([
    ['nginx', 'docker.io/library/nginx'],
    ['docker.io/nginx', 'docker.io/library/nginx'],
    ['index.docker.io/nginx', 'docker.io/library/nginx'],
    ['INDEX.DOCKER.IO/library/*', 'docker.io/library/*'],
    ['library/*', 'docker.io/library/*'],
    ['team/**', 'docker.io/team/**'],
    ['*', 'docker.io/library/*'],
    ['docker.io/**', 'docker.io/**'],
    ['**', '**'],
    ['Registry.Example.com/team/**', 'registry.example.com/team/**'],
    ['[::1]:5000/x', '[::1]:5000/x'],
  ])('%s → %s', (glob, normalized) => {
    const compiled = compileImageGlob(glob);
    expect(compiled.normalized).toBe(normalized);
    expect(compiled.glob).toBe(glob);
  });

  it('treats regex metacharacters as literals', () => {
    expect(compileImageGlob('a.b/x').matches('aXb/x')).toBe(false);
    expect(compileImageGlob('a.b/x').matches('a.b/x')).toBe(true);
    expect(compileImageGlob('[::1]:5000/x').matches('[::1]:5000/x')).toBe(true);
    expect(compileImageGlob('[::1]:5000/x').matches(':')).toBe(false);
    expect(compileImageGlob('a.io/b-c').matches('a.io/b-c')).toBe(true);
    expect(compileImageGlob('a.io/b-c').matches('a.io/bbc')).toBe(false);
  });

  it('matches only the exact name without wildcards', () => {
    const m = compileImageGlob('registry.example.com/team/app');
    expect(m.matches('registry.example.com/team/app')).toBe(true);
    expect(m.matches('registry.example.com/team/app2')).toBe(false);
    expect(m.matches('registry.example.com/team/ap')).toBe(false);
    expect(m.matches('')).toBe(false);
  });

  it('never matches strings longer than any valid name', () => {
    expect(compileImageGlob('**').matches('a'.repeat(256))).toBe(false);
    expect(compileImageGlob('**').matches('a'.repeat(255))).toBe(true);
  });
});

describe('compileImageGlob rejects invalid globs', () => {
  it.each([
    ['', /empty/],
    [' nginx', /may contain only/],
    ['a b/c', /may contain only/],
    ['nginé', /may contain only/],
    ['nginx:latest', /without a tag/],
    [
      'registry.example.com/app:1.0',
      /without a tag; remove ':…' \(an images entry's tags limit it to tags\)/,
    ],
    ['nginx@sha256:' + 'a'.repeat(64), /digest/],
    ['registry.example.com/***', /\*\*\*/],
    ['registry.example.com/app?', /'\?' is not a wildcard/],
    ['registry.example.com/', /empty segment/],
    ['/nginx', /empty segment/],
    ['a//b', /empty segment/],
    ['registry.example.com/Team/**', /lowercase/],
    ['Team/**', /lowercase/],
    ['**.example.com/app', /registry host/],
    ['registry..example.com/app', /registry host/],
    ['registry.example.com:99999/app', /port/],
    ['*.exa_mple.com/app', /registry host/],
    ['registry.example.com/../app', /path segment/],
    ['registry.example.com/a[b]/app', /path segment/],
    ['registry.example.com/$(x)', /may contain only/],
    ['a'.repeat(513), /longer than 512/],
  ])('%j', (glob, reason) => {
    expect(() => compileImageGlob(glob)).toThrowWithCode('REFERENCE_INVALID_GLOB', {
      instanceOf: ImageReferenceError,
      details: { reason: expect.stringMatching(reason) },
      message: 'image glob "',
    });
  });
});

describe('glob matching has no catastrophic backtracking', () => {
  it('matches a hostile glob against a long name quickly', () => {
    const m = compileImageGlob('registry.example.com/' + '*a'.repeat(40) + '*b');
    const name = 'registry.example.com/' + 'a'.repeat(230);
    const globstar = compileImageGlob('registry.example.com/' + '**a'.repeat(40) + '**b');
    const start = performance.now();
    for (let i = 0; i < 50; i++) {
      expect(m.matches(name)).toBe(false);
      expect(globstar.matches(name)).toBe(false);
    }
    expect(m.matches(name.slice(0, -1) + 'b')).toBe(true);
    expect(performance.now() - start).toBeLessThan(1000);
  });
});
