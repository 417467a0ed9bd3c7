import {
  checkOciBinding,
  isOciSigningAlgorithm,
  parseBase64,
  parseMessageBytes,
  parseOciMessage,
  type OciSignedMessage,
} from '../../../../src/verifiers/oracle-vault/message';
import { MAX_OCI_MESSAGE_BYTES } from '../../../../src/verifiers/oracle-vault/limits';
import { toOcirRegion, toOcirRepositoryName } from '../../../../src/verifiers/oracle-vault/regions';
import { toKmsManagementEndpoint } from '../../../../src/verifiers/oracle-vault/public-keys';

const DIGEST = `sha256:${'1'.repeat(64)}`;
const MESSAGE: OciSignedMessage = {
  description: '',
  imageDigest: DIGEST,
  kmsKeyId: 'ocid1.key.oc1.ap-tokyo-1.v.k',
  kmsKeyVersionId: 'ocid1.keyversion.oc1.ap-tokyo-1.v.kv',
  metadata: '{"buildNumber":"123"}',
  region: 'ap-tokyo-1',
  repositoryName: 'team/app',
  signingAlgorithm: 'SHA_256_RSA_PKCS_PSS',
};
const EXPECTED = {
  digest: DIGEST,
  repositoryName: 'team/app',
  region: 'ap-tokyo-1',
  kmsKeyId: MESSAGE.kmsKeyId,
  kmsKeyVersionId: MESSAGE.kmsKeyVersionId,
  signingAlgorithm: MESSAGE.signingAlgorithm,
};

describe('parseOciMessage', () => {
  test('reads the CLI JSON as signed, keeping metadata a string', () => {
    const parsed = parseOciMessage(Buffer.from(JSON.stringify(MESSAGE)));
    expect(parsed).toEqual(MESSAGE);
  });
  test.each([
    ['not JSON', Buffer.from('{"a":'), 'not UTF-8 JSON'],
    ['not UTF-8', Buffer.from([0x7b, 0xff, 0x7d]), 'not UTF-8 JSON'],
    ['an array', Buffer.from('[]'), 'not a JSON object'],
    ['metadata as an object', Buffer.from(JSON.stringify({ ...MESSAGE, metadata: {} })), 'metadata'],
    ['a missing region', Buffer.from(JSON.stringify({ ...MESSAGE, region: undefined })), 'region'],
  ])('refuses %s', (_name, bytes, reason) => {
    const parsed = parseOciMessage(bytes);
    expect(typeof parsed).toBe('string');
    expect(parsed).toContain(reason);
  });
});

describe('checkOciBinding', () => {
  test.each([
    ['a valid message', {}, undefined],
    ['another digest', { imageDigest: `sha256:${'2'.repeat(64)}` }, 'digest'],
    ['another repository', { repositoryName: 'team/other' }, 'repositoryName'],
    ['another region', { region: 'us-ashburn-1' }, 'region'],
    ['another key', { kmsKeyId: 'ocid1.key.oc1.x.v.other' }, 'key'],
    ['another key version', { kmsKeyVersionId: 'ocid1.keyversion.oc1.x.v.other' }, 'key'],
    ['another algorithm', { signingAlgorithm: 'SHA_512_RSA_PKCS_PSS' }, 'key'],
  ])('%s', (_name, change, field) => {
    expect(checkOciBinding({ ...MESSAGE, ...change }, EXPECTED)?.field).toBe(field);
  });
});

describe('base64 and algorithms', () => {
  test.each([
    ['', false],
    ['YWJj', true],
    ['YWI=', true],
    ['YW J j', false],
    ['YWJ', false],
    ['YWJj!', false],
  ])('parseBase64(%j) accepts only canonical base64: %s', (text, ok) => {
    expect(parseBase64(text, 100) !== undefined).toBe(ok);
  });
  test('refuses a message longer than KMS signs', () => {
    expect(parseMessageBytes(Buffer.alloc(MAX_OCI_MESSAGE_BYTES + 3).toString('base64'))).toBeUndefined();
    expect(parseMessageBytes(Buffer.alloc(MAX_OCI_MESSAGE_BYTES).toString('base64'))).toHaveLength(
      MAX_OCI_MESSAGE_BYTES,
    );
  });
  test.each([
    ['SHA_224_RSA_PKCS_PSS', true],
    ['SHA_512_RSA_PKCS_PSS', true],
    ['SHA_256_RSA_PKCS1_V1_5', false],
    ['toString', false],
    [42, false],
  ])('isOciSigningAlgorithm(%j) = %s', (name, ok) => {
    expect(isOciSigningAlgorithm(name)).toBe(ok);
  });
});

describe('OCIR hosts and repositories', () => {
  test.each([
    ['nrt.ocir.io', 'ap-tokyo-1'],
    ['ap-tokyo-1.ocir.io', 'ap-tokyo-1'],
    ['IAD.ocir.io', 'us-ashburn-1'],
    ['ocir.eu-frankfurt-1.oci.oraclecloud.com', 'eu-frankfurt-1'],
    ['zzz.ocir.io', null],
    ['registry.example.com', undefined],
    ['127.0.0.1:5000', undefined],
  ])('toOcirRegion(%s) = %s', (host, region) => {
    expect(toOcirRegion(host)).toBe(region);
  });
  test.each([
    ['tenancyns/team/app', 'team/app'],
    ['tenancyns/app', 'app'],
    ['app', undefined],
  ])('toOcirRepositoryName(%s) = %s', (repo, name) => {
    expect(toOcirRepositoryName(repo)).toBe(name);
  });
  test('derives the KMS management endpoint from the key OCID like oci-cli', () => {
    expect(toKmsManagementEndpoint('ocid1.key.oc1.ap-tokyo-1.bbpjb3nfaacuu.abuwcljr', 'ap-tokyo-1')).toBe(
      'https://bbpjb3nfaacuu-management.kms.ap-tokyo-1.oraclecloud.com',
    );
    expect(toKmsManagementEndpoint('ocid1.key.oc1..abuwcljr', 'ap-tokyo-1')).toBeUndefined();
  });
});
