// The layer rules of eslint.config.js (docs/architecture.md) catch what they promise to catch: each case is a
// file that does not exist, linted as if it sat at `path`, with only the layer rules on.
import { ESLint, type Linter } from 'eslint';
import { join } from 'node:path';
import tseslint from 'typescript-eslint';

const ROOT = join(__dirname, '..', '..', '..');
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the config is CommonJS, loaded as the CLI loads it
const config = require(join(ROOT, 'eslint.config.js')) as Linter.Config[];
const layerBlocks = config.filter((block) => block.plugins?.['boundaries'] !== undefined);

const eslint = new ESLint({
  cwd: ROOT,
  overrideConfigFile: true,
  overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } }, ...layerBlocks],
});

// findings lints `code` as the file at `path` and returns "line: message" for each layer finding.
async function findings(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(ROOT, path) });
  return (result?.messages ?? []).map((m) => `${m.line}: ${m.ruleId ?? ''} ${m.message}`);
}

describe('layer boundaries (eslint.config.js)', () => {
  test('the layer rules are configured for src/', () => {
    expect(layerBlocks).toHaveLength(1);
    expect(layerBlocks[0]?.files).toEqual(['src/**/*.ts']);
  });

  test.each([
    ['registry/', "import { x } from '../registry/client';"],
    ['verifiers/ (type only)', "import type { X } from '../verifiers/verifier.types';"],
    ['engine/', "import { x } from '../engine/limits';"],
    ['kube/', "export { x } from '../kube/clients';"],
    ['server/', "import { x } from '../server/limits';"],
    ['policy-sources/', "import { x } from '../policy-sources/dir';"],
    ['tls/', "import { x } from '../tls/limits';"],
    ['observability/', "import { x } from '../observability/limits';"],
    ['node:fs', "import { readFileSync } from 'node:fs';"],
    ['fs/promises', "import { readFile } from 'fs/promises';"],
    ['node:http', "import { request } from 'node:http';"],
    ['node:child_process', "import { spawn } from 'node:child_process';"],
    ['undici', "import { request } from 'undici';"],
    ['@kubernetes/client-node', "import { KubeConfig } from '@kubernetes/client-node';"],
    ['fastify', "import fastify from 'fastify';"],
    ['pino (runtime)', "import pino from 'pino';"],
  ])('a pure layer may not import %s', async (_name, line) => {
    for (const layer of ['reference', 'policy', 'admission', 'convert']) {
      const found = await findings(`src/${layer}/new-file.ts`, `${line}\n`);
      expect(found).toEqual([expect.stringMatching(/^1: boundaries\/dependencies a pure layer/)]);
    }
  });

  test.each([
    ['another pure layer', "import { x } from '../reference/parse';"],
    ['the shared errors', "import { ConfigError } from '../errors';"],
    ['node:crypto', "import { createHash } from 'node:crypto';"],
    ['a pure package', "import { parse } from 'yaml';"],
    ['the types of an I/O package', "import type { Logger } from 'pino';"],
  ])('a pure layer may import %s', async (_name, line) => {
    expect(await findings('src/policy/new-file.ts', `${line}\n`)).toEqual([]);
  });

  test.each(['kube', 'server', 'policy-sources', 'engine', 'policy', 'app'])(
    '%s/ may not import cli/',
    async (layer) => {
      const found = await findings(
        `src/${layer}/new-file.ts`,
        "import { EXIT_USAGE } from '../cli/errors';\n",
      );
      expect(found).toEqual(['1: boundaries/dependencies no layer may import cli/']);
    },
  );

  test('nor may a file directly under src/', async () => {
    const found = await findings('src/new-file.ts', "import { EXIT_USAGE } from './cli/errors';\n");
    expect(found).toEqual(['1: boundaries/dependencies no layer may import cli/']);
  });

  test('cli/ imports any layer, and an I/O layer any other I/O layer', async () => {
    expect(await findings('src/cli/new-file.ts', "import { x } from '../registry/client';\n")).toEqual([]);
    expect(await findings('src/engine/new-file.ts', "import { x } from '../kube/clients';\n")).toEqual([]);
  });

  test.each(['engine', 'server', 'kube', 'policy-sources'])(
    'only cli/ may import app/ (not %s/)',
    async (layer) => {
      expect(await findings(`src/${layer}/new-file.ts`, "import { x } from '../app/runtime';\n")).toEqual([
        '1: boundaries/dependencies only cli/ may import app/',
      ]);
      expect(await findings('src/cli/new-file.ts', "import { x } from '../app/runtime';\n")).toEqual([]);
    },
  );

  test('a new folder under src/ must be given a layer first', async () => {
    expect(await findings('src/new-folder/new-file.ts', 'export const x = 1;\n')).toEqual([
      expect.stringMatching(/^1: boundaries\/no-unknown-files /),
    ]);
  });
});
