// The Dockerfile, parsed: the properties docs/dockerfile-review.md relies on, checked on every change
// (there is no Docker engine or hadolint here to build or lint it).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
/** The uid the chart runs the webhook as (charts/portcullis/templates/deployment.yaml). */
const CHART_UID = 65532;

interface Instruction {
  readonly keyword: string;
  readonly args: string;
}

interface Stage {
  readonly image: string;
  readonly name: string | undefined;
  readonly instructions: Instruction[];
}

// parseDockerfile joins continuation lines, drops comments and blank lines, and groups instructions by stage.
function parseDockerfile(text: string): Stage[] {
  const logical: string[] = [];
  let current = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#') || line === '') continue;
    if (line.endsWith('\\')) {
      current += `${line.slice(0, -1).trim()} `;
      continue;
    }
    logical.push(current + line);
    current = '';
  }
  const stages: Stage[] = [];
  for (const line of logical) {
    const [keyword = '', ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    if (keyword.toUpperCase() === 'FROM') {
      const words = rest.filter((w) => !w.startsWith('--'));
      const as = words.findIndex((w) => w.toUpperCase() === 'AS');
      stages.push({ image: words[0] ?? '', name: as >= 0 ? words[as + 1] : undefined, instructions: [] });
    } else {
      const stage = stages[stages.length - 1];
      if (stage === undefined) throw new Error(`${keyword} before the first FROM`);
      stage.instructions.push({ keyword: keyword.toUpperCase(), args });
    }
  }
  return stages;
}

// of lists a stage's instructions of one kind.
function of(stage: Stage, keyword: string): string[] {
  return stage.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);
}

// copiedFrom maps the --from stage of each COPY in a stage to its source paths.
function copiedFrom(stage: Stage): { from: string | undefined; source: string }[] {
  return of(stage, 'COPY').map((args) => {
    const words = args.split(/\s+/);
    const from = words.find((w) => w.startsWith('--from='))?.slice('--from='.length);
    const paths = words.filter((w) => !w.startsWith('--'));
    return { from, source: paths[0] ?? '' };
  });
}

const stages = parseDockerfile(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
const final = stages[stages.length - 1] as Stage;
const stageNames = stages.map((s) => s.name).filter((n): n is string => n !== undefined);
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8'));

describe('Dockerfile', () => {
  test('is multi-stage: build and runtime are separate images', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(of(final, 'RUN')).toEqual([]); // the runtime image has no shell to run anything with
  });

  test.each(stages.map((s) => [s.name ?? '(unnamed)', s.image]))(
    'stage %s starts from %s: an explicit tag, never latest',
    (_name, image) => {
      if (stageNames.includes(image)) return; // FROM an earlier stage
      expect(image).toMatch(/^[^@\s]+:[\w][\w.-]*(@sha256:[a-f0-9]{64})?$/);
      expect(image).not.toMatch(/:latest(@|$)/);
    },
  );

  test('every base image runs the Node.js major of package.json (the `node` devDependency)', () => {
    const major = String(pkg.devDependencies.node).split('.')[0];
    expect(pkg.engines.node).toBe(`>=${major}`);
    for (const s of stages.filter((st) => !stageNames.includes(st.image)))
      expect(s.image).toMatch(new RegExp(`(^node:${major}-|/nodejs${major}-)`));
  });

  test('the final stage runs as a numeric non-root user, the uid the chart sets', () => {
    const users = of(final, 'USER');
    const last = users[users.length - 1] ?? '';
    expect(last).toMatch(/^\d+(:\d+)?$/);
    const [uid, gid] = last.split(':').map(Number);
    expect(uid).toBe(CHART_UID);
    expect(gid ?? uid).not.toBe(0);
    expect(final.instructions[final.instructions.length - 1]?.keyword).not.toBe('USER'); // set before ENTRYPOINT
  });

  test('node_modules in the image come only from a stage that ran `npm ci --omit=dev`', () => {
    const sources = copiedFrom(final).filter((c) => c.source.includes('node_modules'));
    expect(sources.length).toBe(1);
    const deps = stages.find((s) => s.name === sources[0]?.from) as Stage;
    const installs = of(deps, 'RUN').filter((r) => /\bnpm (ci|install|i)\b/.test(r));
    expect(installs.length).toBe(1);
    expect(installs[0]).toMatch(/\bnpm ci\b.*--omit=dev/);
    // `node` is a devDependency (the Node 24 that npm scripts use); --omit=dev leaves it out.
    expect(lock.packages['node_modules/node']).toMatchObject({ dev: true });
  });

  test('the final stage copies only the compiled code, the entry point and package.json', () => {
    expect(copiedFrom(final).map((c) => c.source)).toEqual([
      '/app/node_modules',
      '/src/dist',
      'bin',
      'package.json',
    ]);
    expect(of(final, 'ENV')).toContain('NODE_ENV=production');
  });

  test('no ADD (so no remote URLs or archives), no secrets in ARG or ENV', () => {
    for (const s of stages) {
      expect(of(s, 'ADD')).toEqual([]);
      for (const kv of [...of(s, 'ARG'), ...of(s, 'ENV')])
        expect(kv).not.toMatch(/(PASSWORD|TOKEN|SECRET|API_KEY|NPM_AUTH)/i);
    }
  });

  test('ENTRYPOINT and CMD are exec form: node runs bin/portcullis.js, `serve` by default', () => {
    expect(JSON.parse(of(final, 'ENTRYPOINT')[0] ?? 'null')).toEqual([
      '/nodejs/bin/node',
      '/app/bin/portcullis.js',
    ]);
    expect(JSON.parse(of(final, 'CMD')[0] ?? 'null')).toEqual(['serve']);
  });

  test('.dockerignore keeps the context to package*.json, tsconfig*.json, src/ and bin/', () => {
    const lines = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#'));
    expect(lines[0]).toBe('*');
    expect(lines.filter((l) => l.startsWith('!')).sort()).toEqual(
      [
        '!bin/',
        '!package-lock.json',
        '!package.json',
        '!src/',
        '!tsconfig.build.json',
        '!tsconfig.json',
      ].sort(),
    );
  });
});
