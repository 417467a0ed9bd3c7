// The Oracle Cloud SDK is loaded only when an ociVault authority is verified: a process that composes the
// runtime (as serve, verify and review do) holds none of its modules. Checked in a fresh Node process,
// because jest's module registry is not Node's.
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.join(__dirname, '../../../..');

// loadedOciModules composes the runtime in a child process, optionally runs `then`, and counts oci-* modules.
function loadedOciModules(then = ''): number {
  const script = `
    require('tsx/cjs');
    require('./src/app/runtime.ts');
    ${then}
    const n = Object.keys(require.cache).filter((k) => /node_modules[\\\\/]oci-/.test(k)).length;
    process.stdout.write(String(n));`;
  return Number(execFileSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8' }));
}

describe('OCI SDK lazy loading', () => {
  it('composing the runtime loads no oci-* module', () => {
    expect(loadedOciModules()).toBe(0);
  }, 60_000);

  it('the lazy verifier loads the SDK when it verifies', () => {
    const verify = `
      const { createLazyOciVaultVerifier } = require('./src/verifiers/oracle-vault/lazy.ts');
      createLazyOciVaultVerifier().verify({}, {}, {}).catch(() => undefined);`;
    expect(loadedOciModules(verify)).toBeGreaterThan(0);
  }, 60_000);
});
