import fc from 'fast-check';
import {
  compileImageGlob,
  formatReference,
  ImageReferenceError,
  parseImageReference,
  type ImageRef,
} from '../../../src/reference';

// withoutOriginal drops the one field that legitimately differs between a string and its canonical form.
function withoutOriginal(ref: ImageRef): Omit<ImageRef, 'original'> {
  const { original: _original, ...rest } = ref;
  return rest;
}

// tryParse returns undefined for references the parser rejects (with its own error class only).
function tryParse(input: string): ImageRef | undefined {
  try {
    return parseImageReference(input);
  } catch (e) {
    if (e instanceof ImageReferenceError) return undefined;
    throw e;
  }
}

const hex = (n: number) => fc.stringMatching(new RegExp(`^[0-9a-f]{${n}}$`));
const component = fc.stringMatching(/^[a-z0-9]{1,6}(?:(?:[._]|__|-{1,3})[a-z0-9]{1,6}){0,2}$/);
const label = fc.stringMatching(/^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,8}[a-zA-Z0-9])?$/);
const port = fc.integer({ min: 1, max: 65535 }).map(String);
const dnsHost = fc
  .tuple(fc.array(label, { minLength: 1, maxLength: 3 }), fc.option(port, { nil: undefined }))
  .filter(([labels, p]) => labels.length > 1 || p !== undefined)
  .map(([labels, p]) => labels.join('.') + (p === undefined ? '' : `:${p}`))
  .filter((h) => !['docker.io', 'index.docker.io'].includes(h.toLowerCase()) || h === h.toLowerCase());
const ipv6Host = fc
  .tuple(fc.ipV6(), fc.option(port, { nil: undefined }))
  .filter(([ip]) => /^[0-9a-fA-F:]+$/.test(ip))
  .map(([ip, p]) => `[${ip}]` + (p === undefined ? '' : `:${p}`));
const host = fc.oneof(
  fc.constantFrom('docker.io', 'index.docker.io', 'localhost', 'localhost:5000', 'registry-1.docker.io'),
  dnsHost,
  ipv6Host,
);
const tag = fc.stringMatching(/^\w[\w.-]{0,30}$/);
const digest = fc.oneof(
  hex(64).map((h) => `sha256:${h}`),
  hex(128).map((h) => `sha512:${h}`),
);

/** A reference that the grammar accepts, and what the parser must make of it. */
const validReference = fc
  .record({
    host: fc.option(host, { nil: undefined }),
    path: fc.array(component, { minLength: 1, maxLength: 4 }),
    tag: fc.option(tag, { nil: undefined }),
    digest: fc.option(digest, { nil: undefined }),
  })
  // Without a host, the first segment must not look like one (it would then be read as a host).
  .filter((r) => r.host !== undefined || r.path.length === 1 || !(r.path[0] as string).includes('.'))
  .filter((r) => r.host !== undefined || r.path[0] !== 'localhost' || r.path.length === 1)
  .filter((r) => !/^[a-f0-9]{64}$/.test(r.path.join('/')))
  .map((r) => ({
    ...r,
    text:
      (r.host === undefined ? '' : `${r.host}/`) +
      r.path.join('/') +
      (r.tag === undefined ? '' : `:${r.tag}`) +
      (r.digest === undefined ? '' : `@${r.digest}`),
  }));

describe('reference properties', () => {
  it('generated valid references always parse, keeping tag, digest and host', () => {
    fc.assert(
      fc.property(validReference, (r) => {
        const ref = parseImageReference(r.text);
        expect(ref.original).toBe(r.text);
        expect(ref.digest).toBe(r.digest);
        expect(ref.tag).toBe(r.tag ?? (r.digest === undefined ? 'latest' : undefined));
        expect(ref.name).toBe(`${ref.registry}/${ref.repository}`);
        expect(ref.repository.endsWith(r.path.join('/'))).toBe(true);
        if (r.host !== undefined && r.host !== 'index.docker.io')
          expect(ref.registry).toBe(r.host.toLowerCase());
        if (r.host === undefined || r.host === 'index.docker.io') expect(ref.registry).toBe('docker.io');
      }),
      { numRuns: 2000 },
    );
  });

  it('formatReference(parse(x)) parses back to the same reference', () => {
    const candidates = fc.oneof(
      validReference.map((r) => r.text),
      fc.string({ unit: fc.constantFrom(...'aZ09.:/@-_[]'), maxLength: 40 }),
    );
    fc.assert(
      fc.property(candidates, (input) => {
        const ref = tryParse(input);
        if (ref === undefined) return;
        const again = parseImageReference(formatReference(ref));
        expect(withoutOriginal(again)).toStrictEqual(withoutOriginal(ref));
        expect(formatReference(again)).toBe(formatReference(ref));
      }),
      { numRuns: 2000 },
    );
  });

  it('a parsed name matches itself as a glob, and its registry/** glob', () => {
    fc.assert(
      fc.property(validReference, (r) => {
        const ref = parseImageReference(r.text);
        expect(compileImageGlob(ref.name).matches(ref.name)).toBe(true);
        expect(compileImageGlob(`${ref.registry}/**`).matches(ref.name)).toBe(true);
        expect(compileImageGlob('evil.io/**').matches(ref.name)).toBe(ref.registry === 'evil.io');
        expect(compileImageGlob(`${ref.name}/**`).matches(ref.name)).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it('arbitrary strings never throw anything but ImageReferenceError', () => {
    const anyText = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 300 }),
      fc.string({ unit: fc.constantFrom(...'aA0.:/@-_[]*? \n\u0000é'), maxLength: 120 }),
    );
    fc.assert(
      fc.property(anyText, (input) => {
        for (const run of [() => parseImageReference(input), () => compileImageGlob(input)]) {
          try {
            run();
          } catch (e) {
            expect(e).toBeInstanceOf(ImageReferenceError);
          }
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('arbitrary strings up to 20k characters finish fast', () => {
    const hostile = [
      'a'.repeat(4096),
      'a-'.repeat(2048),
      'a.'.repeat(2047) + 'a/b',
      'a' + '-'.repeat(4000) + '/b',
      '[' + ':'.repeat(4000) + ']/a',
      'x/' + 'a_'.repeat(2000),
      'nginx@sha256:' + 'a'.repeat(4000),
      'nginx@' + 'a.'.repeat(2000) + ':' + 'f'.repeat(64),
      'nginx:' + 'a'.repeat(4000),
      'a/'.repeat(2047) + 'a',
    ];
    const slowest = (inputs: string[]): number => {
      let worst = 0;
      for (const input of inputs) {
        const start = performance.now();
        tryParse(input);
        try {
          compileImageGlob(input.slice(0, 512));
        } catch {
          // only the time matters here
        }
        worst = Math.max(worst, performance.now() - start);
      }
      return worst;
    };
    expect(slowest(hostile)).toBeLessThan(100);
    fc.assert(
      fc.property(fc.string({ maxLength: 20_000 }), (input) => {
        expect(slowest([input])).toBeLessThan(100);
      }),
      { numRuns: 200 },
    );
  });
});
