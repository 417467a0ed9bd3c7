// createCrlRevocationChecker against CRLs made by openssl and served by a local HTTP server, through the
// real CRL fetcher: good, revoked, wrong signer, unreachable, and certificates that name no CRL.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseCertificate } from '../../../../src/verifiers/notation/certificate';
import { createCrlFetcher } from '../../../../src/verifiers/notation/crl-fetch';
import { createCrlRevocationChecker, type CrlFetcher } from '../../../../src/verifiers/notation/revocation';
import { makePki, type TestPki } from './pki';

const crlFetcher = createCrlFetcher();
let server: Server;
let base: string;
let served: Buffer | undefined;
let fetches = 0;

beforeAll(async () => {
  server = createServer((_req, res) => {
    fetches += 1;
    if (served === undefined) res.writeHead(404).end();
    else res.writeHead(200, { 'content-type': 'application/pkix-crl' }).end(served);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await crlFetcher.close();
});

// chainOf parses the PKI's leaf and root as the verifier would.
function chainOf(pki: TestPki) {
  return [parseCertificate(pki.leafDer, 'leaf'), parseCertificate(pki.rootDer, 'root')];
}

describe('CRL revocation', () => {
  let pki: TestPki;
  beforeAll(() => {
    pki = makePki('http://127.0.0.1:1/placeholder');
  });

  it.each([
    ['an empty CRL', 'emptyCrl', 'good', undefined],
    [
      'a CRL that lists the leaf',
      'revokingCrl',
      'revoked',
      /certificate ".*CN=Leaf" was revoked at .* \(CRL http/,
    ],
    ['a CRL signed by another CA', 'foreignCrl', 'unknown', /not signed by ".*CN=Root"/],
    ['no CRL (HTTP 404)', undefined, 'unknown', /no usable CRL .*HTTP 404/],
  ] as const)('%s (%s) gives %s', async (_what, crl, status, reason) => {
    const local = makePki(`${base}/crl-${String(crl)}.pem`);
    served = crl === undefined ? undefined : local[crl];
    const checker = createCrlRevocationChecker(crlFetcher);
    const result = await checker.check(chainOf(local), new Date(), Date.now() + 5000);
    expect(result.status).toBe(status);
    if (reason) expect('reason' in result && result.reason).toMatch(reason);
  });

  it('caches a CRL until its nextUpdate', async () => {
    const local = makePki(`${base}/cached.pem`);
    served = local.emptyCrl;
    const checker = createCrlRevocationChecker(crlFetcher);
    const before = fetches;
    await checker.check(chainOf(local), new Date(), Date.now() + 5000);
    await checker.check(chainOf(local), new Date(), Date.now() + 5000);
    expect(fetches - before).toBe(1);
    const stale = await checker.check(
      chainOf(local),
      new Date(Date.now() + 30 * 86_400_000),
      Date.now() + 5000,
    );
    expect(stale).toMatchObject({ status: 'unknown', reason: expect.stringMatching(/stale/) });
  });

  it('treats an unreachable endpoint as unknown, within the deadline', async () => {
    const unreachable: CrlFetcher = { fetch: () => Promise.reject(new Error('connect ECONNREFUSED')) };
    const result = await createCrlRevocationChecker(unreachable).check(
      chainOf(pki),
      new Date(),
      Date.now() + 5000,
    );
    expect(result).toMatchObject({ status: 'unknown', reason: expect.stringMatching(/ECONNREFUSED/) });
    const late = await createCrlRevocationChecker(crlFetcher).check(chainOf(pki), new Date(), Date.now() - 1);
    expect(late).toMatchObject({ status: 'unknown', reason: expect.stringMatching(/deadline/) });
  });

  it("hands the request's deadline and abort signal to the fetcher", async () => {
    const seen: { deadline: number; signal?: AbortSignal }[] = [];
    const fetcher: CrlFetcher = {
      fetch: (_url, deadline, signal) => {
        seen.push({ deadline, ...(signal ? { signal } : {}) });
        return Promise.reject(new Error('offline'));
      },
    };
    const signal = new AbortController().signal;
    const deadline = Date.now() + 5000;
    await createCrlRevocationChecker(fetcher).check(chainOf(pki), new Date(), deadline, signal);
    expect(seen).toEqual([{ deadline, signal }]);
  });

  it('needs no CRL for a self-signed certificate or one that names none', async () => {
    const fetcher = { calls: 0, fetch: () => ((fetcher.calls += 1), Promise.reject(new Error('unused'))) };
    const root = parseCertificate(pki.rootDer, 'root');
    expect(await createCrlRevocationChecker(fetcher).check([root], new Date(), Date.now() + 5000)).toEqual({
      status: 'good',
    });
    expect(fetcher.calls).toBe(0);
  });
});
