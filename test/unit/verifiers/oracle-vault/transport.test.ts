// The OCI SDK's HTTP client seam obeys the egress rule: a policy's endpoint override (or the SDK's own URL) never
// reaches a metadata or link-local address. Servers are on 127.0.0.1; forbidden targets go through a dispatcher
// that records attempts and connects only to loopback, or a resolver whose forbidden answer is 0.0.0.0.
import type { LookupAddress } from 'node:dns';
import type * as common from 'oci-common';
import { fetchKeyVersion } from '../../../../src/verifiers/oracle-vault/api';
import {
  createOciDispatcher,
  OCI_TRANSPORT_CODES,
  OciHttpClient,
  toRetryConfiguration,
  type OciCallBounds,
} from '../../../../src/verifiers/oracle-vault/transport';
import { RegistryError } from '../../../../src/registry/errors';
import { failure, loopbackOnlyDispatcher, useAdversaries } from '../../registry/adversary';

const serve = useAdversaries();
const unsigned: common.RequestSigner = { signHttpRequest: async () => undefined };

// bounds gives a call `ms` of budget.
function bounds(ms = 5000): OciCallBounds {
  return { deadline: Date.now() + ms, now: Date.now };
}

// get builds the SDK's request shape for a GET of `uri`.
function get(uri: string): common.HttpRequest {
  return { method: 'GET', uri, headers: new Headers(), body: undefined } as unknown as common.HttpRequest;
}

describe('OCI HTTP client egress', () => {
  it.each([
    'http://169.254.169.254/opc/v2/instance/',
    'https://[::ffff:a9fe:a9fe]/20180608/keys',
    'http://metadata.google.internal/computeMetadata/v1/',
  ])('refuses %s without a connection attempt, and the retrier will not retry it', async (uri) => {
    const spy = loopbackOnlyDispatcher();
    const http = new OciHttpClient(unsigned, bounds(), spy.dispatcher);
    const err = (await failure(http.send(get(uri)))) as Error & { code?: string; shouldBeRetried?: boolean };
    expect(err.code).toBe(OCI_TRANSPORT_CODES.egress);
    expect(err.shouldBeRetried).toBe(false);
    expect(err.message).toMatch(/metadata|link-local/);
    expect(spy.attempts).toEqual([]);
    await spy.dispatcher.close();
  });

  it('refuses an endpoint whose name resolves to a forbidden address, before connecting', async () => {
    const asked: string[] = [];
    const resolve = async (hostname: string): Promise<LookupAddress[]> => {
      asked.push(hostname);
      return [{ address: '0.0.0.0', family: 4 }];
    };
    const dispatcher = createOciDispatcher(undefined, { resolve });
    const http = new OciHttpClient(unsigned, bounds(), dispatcher);
    await expect(http.send(get('http://kms.evil.test:8080/20180608/keys'))).rejects.toThrowWithCode(
      OCI_TRANSPORT_CODES.egress,
    );
    expect(asked).toEqual(['kms.evil.test']);
    await dispatcher.close();
  });

  it('sends to an allowed endpoint through the egress dispatcher', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
    const dispatcher = createOciDispatcher();
    const res = await new OciHttpClient(unsigned, bounds(), dispatcher).send(get(`http://${s.host}/x`));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
    await dispatcher.close();
  });

  it('through the real SDK client, a metadata endpoint is REGISTRY_EGRESS_REFUSED naming the API', async () => {
    const spy = loopbackOnlyDispatcher();
    const b = bounds();
    const http = new OciHttpClient(unsigned, b, spy.dispatcher);
    const key = 'ocid1.key.oc1..k';
    await expect(
      fetchKeyVersion(
        http,
        'http://169.254.169.254',
        key,
        'ocid1.keyversion.oc1..v',
        toRetryConfiguration(b),
      ),
    ).rejects.toThrowWithCode('REGISTRY_EGRESS_REFUSED', {
      instanceOf: RegistryError,
      message: /Vault KMS management API http:\/\/169\.254\.169\.254.*cloud metadata address/,
    });
    expect(spy.attempts).toEqual([]);
    await spy.dispatcher.close();
  });
});
