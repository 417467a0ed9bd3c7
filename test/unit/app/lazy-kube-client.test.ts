// @kubernetes/client-node (about 80 MiB of memory) is loaded only in cluster mode: the CLI (verify, review,
// policy …) and `serve --policy-dir` hold none of its modules. Checked in a fresh Node process, because jest's
// module registry is not Node's.
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.join(__dirname, '../../..');

// loadedKubeModules requires `entry` in a child process, runs `then`, and counts @kubernetes/* modules.
function loadedKubeModules(entry: string, then = ''): number {
  const script = `
    require('tsx/cjs');
    require('${entry}');
    ${then}
    const n = Object.keys(require.cache).filter((k) => /node_modules[\\\\/]@kubernetes[\\\\/]/.test(k)).length;
    process.stdout.write(String(n));`;
  return Number(execFileSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8' }));
}

describe('Kubernetes client lazy loading', () => {
  it('the CLI entry point loads no @kubernetes module', () => {
    expect(loadedKubeModules('./src/cli/main.ts')).toBe(0);
  }, 60_000);

  it('cluster mode loads it', () => {
    const cluster = `require('./src/app/cluster-sources.ts');`;
    expect(loadedKubeModules('./src/cli/main.ts', cluster)).toBeGreaterThan(0);
  }, 60_000);
});
