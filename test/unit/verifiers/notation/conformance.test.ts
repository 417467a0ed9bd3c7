// Runs every case of the vendored Notation conformance set (test/fixtures/conformance/notation/cases.json):
// envelope cases through checkEnvelope, registry cases through the verifier and the real RegistryClient
// against a local HTTP server that serves Connaisseur's registry layout.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import pino from 'pino';
import type { NotationAuthority } from '../../../../src/policy/crd/crd.types';
import { RegistryClient } from '../../../../src/registry';
import { VerifyError } from '../../../../src/verifiers/errors';
import { createNotationVerifier } from '../../../../src/verifiers/notation/verifier';
import { checkEnvelope } from '../../../../src/verifiers/notation/check-envelope';
import { createCrlRevocationChecker } from '../../../../src/verifiers/notation/revocation';
import { contextFor, targetFor } from '../context';
import { compileAuthority, NOTATION_DIR, readPem } from './fixtures';

interface NotationCase {
  readonly id: string;
  readonly check: 'registry' | 'envelope';
  readonly image: string | null;
  readonly expect: 'valid' | 'invalid';
  readonly reason: string;
  readonly files: readonly string[];
  readonly envelope?: string;
  readonly envelopeMediaType?: string;
  readonly artifact?: { mediaType: string; digest: string; size: number } | null;
  readonly trust: {
    readonly trustStore: { ca?: string[]; tsa?: string[]; signingAuthority?: string[] };
    readonly trustedIdentities: string[];
    readonly verificationLevel: 'strict' | 'permissive' | 'audit';
    readonly verifyTimestamp?: 'always' | 'afterCertExpiry';
  };
}

/** For invalid cases: the code that states the case's reason (`alsoAcceptable` ones listed too). */
const EXPECTED: Readonly<Record<string, readonly string[]>> = {
  'ntn-connaisseur-unsigned': ['VERIFY_NO_SIGNATURES'],
  'ntn-go-x509-tampered-signature': ['VERIFY_SIGNATURE_INVALID'],
  'ntn-go-x509-untrusted-store': ['VERIFY_UNTRUSTED_SIGNER'],
  'ntn-go-x509-identity-mismatch': ['VERIFY_IDENTITY_MISMATCH'],
  'ntn-go-signing-authority-expired': ['VERIFY_SIGNATURE_EXPIRED'],
  'ntn-go-verification-plugin-required': ['VERIFY_ENVELOPE_INVALID'],
  'ntn-go-jws-wrong-artifact': ['VERIFY_DIGEST_MISMATCH'],
  'ntn-ts-expired-cert-no-tsa-store': ['VERIFY_CERT_CHAIN_INVALID'],
  'ntn-ts-timestamp-missing': ['VERIFY_TIMESTAMP_INVALID'],
  'ntn-ts-before-cert-validity': ['VERIFY_CERT_CHAIN_INVALID'],
  'ntn-core-jws-conformance-vector': ['VERIFY_ENVELOPE_INVALID'],
};
/** Words the message must contain, so that the failure is the stated one and not another. */
const EXPECTED_WORDS: Readonly<Record<string, RegExp>> = {
  'ntn-go-signing-authority-expired': /expired at 2022-07-29T23:59:00/,
  'ntn-go-verification-plugin-required': /verification plugin.*plugin-name|SomeKey/,
  'ntn-go-jws-wrong-artifact': /sha256:19dbd2e4.*not for this image sha256:60043cf4/,
  'ntn-ts-expired-cert-no-tsa-store': /expired at 2024-06-18/,
  'ntn-ts-before-cert-validity': /authentic timestamp.*not valid before 2099/,
  'ntn-core-jws-conformance-vector': /x5c|signedCritKey1/,
};

const cases = JSON.parse(readFileSync(path.join(NOTATION_DIR, 'cases.json'), 'utf8')) as NotationCase[];
/** Any certificate, to compile an authority whose trust store is then emptied. */
const ANY_CA = 'derived/alpine-selfsigned-2000-2123.crt';
/** No artifact: a descriptor no envelope can sign. */
const NO_ARTIFACT = {
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest: `sha256:${'0'.repeat(64)}`,
  size: 0,
};

// toSpec turns a case's trust (file names) into a notation authority spec (PEM text).
function toSpec(trust: NotationCase['trust']): NotationAuthority {
  const store = Object.fromEntries(
    Object.entries(trust.trustStore).map(([k, files]) => [k, (files ?? []).map(readPem)]),
  );
  return {
    trustStore: store,
    trustedIdentities: trust.trustedIdentities,
    verificationLevel: trust.verificationLevel,
    ...(trust.verifyTimestamp ? { verifyTimestamp: trust.verifyTimestamp } : {}),
    // The fixtures' CRL/OCSP endpoints cannot be reached offline (see the conformance README).
    revocation: { onUnreachable: 'warn' },
  };
}

/** No network in unit tests: every CRL download fails, which the authority turns into a warning. */
const offline = createCrlRevocationChecker({ fetch: () => Promise.reject(new Error('offline test')) });

// runEnvelopeCase returns 'ok' or the failure's code and reason.
async function runEnvelopeCase(c: NotationCase): Promise<{ code: string; reason: string }> {
  const spec = toSpec(c.trust);
  // An empty trust store does not compile; the one case with none must still be rejected without it.
  const empty = (spec.trustStore.ca ?? []).length + (spec.trustStore.signingAuthority ?? []).length === 0;
  const authority = empty
    ? {
        ...compileAuthority({ ...spec, trustStore: { ca: [readPem(ANY_CA)] } }),
        trustStore: { ca: [], signingAuthority: [], tsa: [] },
      }
    : compileAuthority(spec);
  const outcome = await checkEnvelope({
    envelope: readFileSync(path.join(NOTATION_DIR, c.envelope as string)),
    mediaType: c.envelopeMediaType as string,
    target: c.artifact ?? NO_ARTIFACT,
    authority,
    now: new Date(),
    deadline: Date.now() + 10_000,
    revocation: offline,
    where: 'signature under test',
  });
  return outcome.ok
    ? { code: 'ok', reason: outcome.summary }
    : { code: outcome.code, reason: outcome.reason };
}

// serveConnaisseur serves manifests/<ref>.json and blobs/<digest>.json; no referrers API (404).
function serveConnaisseur(files: readonly string[]): Server {
  const byPath = new Map<string, Buffer>();
  for (const f of files) {
    const m = /registry\/(.+)\/(manifests|blobs)\/([^/]+)\.json$/.exec(f);
    if (m) byPath.set(`/v2/${m[1]}/${m[2]}/${m[3]}`, readFileSync(path.join(NOTATION_DIR, f)));
  }
  return createServer((req, res) => {
    const body = byPath.get(req.url ?? '');
    if (req.url === '/v2/' || req.url === '/v2') return void res.writeHead(200).end('{}');
    if (!body)
      return void res
        .writeHead(404, { 'content-type': 'application/json' })
        .end('{"errors":[{"code":"NOT_FOUND"}]}');
    const mediaType = req.url?.includes('/manifests/')
      ? String((JSON.parse(body.toString('utf8')) as { mediaType?: string }).mediaType)
      : 'application/octet-stream';
    res.writeHead(200, { 'content-type': mediaType, 'content-length': body.length });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
}

// runRegistryCase verifies the image through a local server, the real registry client and the verifier.
async function runRegistryCase(c: NotationCase): Promise<{ code: string; reason: string }> {
  const server = serveConnaisseur(c.files);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    const [ref, digest] = (c.image as string).replace('registry.local', host).split('@') as [string, string];
    const name = ref.replace(/:[^/:]+$/, '');
    const manifest = c.files.find((f) => f.endsWith(`/manifests/${digest}.json`)) as string;
    const bytes = readFileSync(path.join(NOTATION_DIR, manifest));
    const target = {
      ...targetFor(name, digest),
      descriptor: () =>
        Promise.resolve({
          mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
          digest,
          size: bytes.length,
        }),
    };
    const registry = new RegistryClient({
      insecureRegistries: [],
      logger: pino({ level: 'silent' }),
      userAgent: 'portcullis-test',
    });
    const verifier = createNotationVerifier({ revocation: offline });
    const evidence = await verifier.verify(target, compileAuthority(toSpec(c.trust)), contextFor(registry));
    return { code: 'ok', reason: evidence.summary };
  } catch (error) {
    if (!(error instanceof VerifyError)) throw error;
    return { code: error.code, reason: error.message };
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

describe('Notation conformance (vendored third-party cases)', () => {
  it('covers every case', () => {
    expect(cases.length).toBeGreaterThanOrEqual(18);
    for (const c of cases.filter((x) => x.expect === 'invalid')) expect(EXPECTED[c.id]).toBeDefined();
  });

  it.each(cases.map((c) => [c.id, c] as const))('%s', async (_id, c) => {
    const result = c.check === 'registry' ? await runRegistryCase(c) : await runEnvelopeCase(c);
    if (c.expect === 'valid') {
      expect(result).toEqual({ code: 'ok', reason: expect.any(String) });
    } else {
      expect(EXPECTED[c.id]).toContain(result.code);
      const words = EXPECTED_WORDS[c.id];
      if (words) expect(result.reason).toMatch(words);
    }
  });
});
