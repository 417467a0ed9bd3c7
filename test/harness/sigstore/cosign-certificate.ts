// Key-based signatures that carry a certificate chain from a private PKI (`cosign sign --key --certificate
// --certificate-chain`), in the legacy format: no Fulcio, no log, no timestamp. cosign v3 and v2 verify them with
// `--certificate-chain` (the private root) instead of a trusted root.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCosignIn } from './cosign-keyless';
import type { Issued, PrivateCa } from './pki';

/** Password of the key cosign imports (cosign keeps private keys encrypted). */
const IMPORT_PASSWORD = 'portcullis-test';

export interface CertificateSignOptions {
  /** `host/repo@sha256:…` on a harness registry (plain HTTP). */
  readonly image: string;
  readonly ca: PrivateCa;
  /** A code-signing leaf from issueCodeSigning(ca, …). */
  readonly leaf: Issued;
}

/** Signs `image` with the leaf's key and attaches the leaf and the CA chain; throws with cosign's output. */
export async function signWithCertificate(options: CertificateSignOptions): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'portcullis-cosign-cert-'));
  try {
    const file = async (name: string, content: string, mode = 0o644): Promise<string> => {
      await writeFile(path.join(dir, name), content, { mode });
      return path.join(dir, name);
    };
    const pem = await file('leaf-key.pem', options.leaf.keyPem, 0o600);
    const env = { COSIGN_PASSWORD: IMPORT_PASSWORD, COSIGN_YES: 'true' };
    const prefix = path.join(dir, 'imported');
    await must(
      runCosignIn(dir, 'cosign', ['import-key-pair', '--key', pem, '--output-key-prefix', prefix], env),
    );
    const args = [
      'sign', '--key', `${prefix}.key`,
      '--certificate', await file('leaf.pem', options.leaf.certPem),
      '--certificate-chain', await file('chain.pem', options.ca.chainPem),
      '--tlog-upload=false', '--allow-insecure-registry', '-y', options.image,
    ]; // prettier-ignore
    await must(runCosignIn(dir, 'cosign2', args, env));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// must turns a failed cosign run into an error carrying its output.
async function must(run: Promise<{ code: number; stdout: string; stderr: string }>): Promise<void> {
  const r = await run;
  if (r.code !== 0) throw new Error(`cosign failed (${r.code}):\n${r.stderr}${r.stdout}`);
}
