// `portcullis verify --runtime-class / --node-selector`: a CI pipeline judges an image in the Pod it will run in,
// so a policy with spec.placement (docs/confidential.md#placement) is judged on that Pod, not on a bare one.
// Real registry, real cosign.
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { runPortcullis } from '../../harness/cli';
import { cosignSign, generateCosignKey } from '../../harness/cosign';
import { loadHarness } from '../../harness/env';
import { pushRandomImage } from '../../harness/images';
import { cosignPolicy } from '../../harness/webhook';

const h = loadHarness();
let flags: string[];
let image: string;

beforeAll(async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'portcullis-verify-placement-'));
  const policyDir = path.join(dir, 'policies');
  await mkdir(policyDir);
  const key = await generateCosignKey();
  const pushed = await pushRandomImage(h.referrers.host, 'placement/app', 'v1');
  await cosignSign(key, pushed.ref, 'v3');
  image = `${h.referrers.host}/placement/app:v1`;
  const policy = cosignPolicy('confidential', [`${h.referrers.host}/placement/**`], key.publicKeyPem, {
    spec: [
      'placement:',
      '  runtimeClassNames: [kata-qemu-tdx]',
      '  nodeSelector: {trust.example/attested: "true"}',
    ],
  });
  await writeFile(path.join(policyDir, 'confidential.yaml'), policy);
  flags = ['--policy-dir', policyDir, '--insecure-registry', h.referrers.host];
});

describe('portcullis verify with the Pod placement', () => {
  it('denies the signed image in a bare Pod, saying what the Pod lacks', async () => {
    const r = await runPortcullis(['verify', image, ...flags]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('POLICY_PLACEMENT_RUNTIME_CLASS');
    expect(r.stdout).toContain('POLICY_PLACEMENT_NODE_LABEL');
  });

  it('admits it in a Pod with the RuntimeClass and node label', async () => {
    const placed = ['--runtime-class', 'kata-qemu-tdx', '--node-selector', 'trust.example/attested=true'];
    const r = await runPortcullis(['verify', image, ...flags, ...placed]);
    expect([r.code, r.stdout]).toEqual([0, expect.stringContaining('ALLOWED')]);
  });

  it('still denies a Pod with the RuntimeClass but another label value', async () => {
    const placed = ['--runtime-class', 'kata-qemu-tdx', '--node-selector', 'trust.example/attested=false'];
    const r = await runPortcullis(['verify', image, ...flags, ...placed]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('POLICY_PLACEMENT_NODE_LABEL');
    expect(r.stdout).not.toContain('POLICY_PLACEMENT_RUNTIME_CLASS');
  });

  it.each([
    ['--node-selector', 'no-equals'],
    ['--node-selector', '=v'],
    ['--runtime-class', ''],
  ])('exits 2 on %s %j', async (flag, value) => {
    const r = await runPortcullis(['verify', image, ...flags, flag, value]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('CONFIG_INVALID_FLAG');
  });
});
