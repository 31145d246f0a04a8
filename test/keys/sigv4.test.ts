// SigV4 over node:crypto: AWS's published test-suite signatures, and the SDK's own signature for a Secrets Manager call.
import { describe, it } from 'node:test';
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import assert from 'node:assert/strict';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SignatureV4 } from '@smithy/signature-v4';
import { amzDate, signV4 } from '../../src/keys/sigv4';

// aws-sig-v4-test-suite: credentials, Region, service and time shared by every vector.
const SUITE = {
  region: 'us-east-1',
  service: 'service',
  credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
  amzDate: '20150830T123600Z',
  body: '',
  method: 'GET',
};
const SUITE_HEADERS = { host: 'example.amazonaws.com', 'x-amz-date': '20150830T123600Z' };
const SUITE_CREDENTIAL = 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date';

describe('Function: signV4', () => {
  it('matches the test suite\'s "get-vanilla" signature', () => {
    const authorization = signV4({ ...SUITE, url: new URL('https://example.amazonaws.com/'), headers: SUITE_HEADERS });
    assert.equal(authorization, `${SUITE_CREDENTIAL}, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31`);
  });

  it('matches "get-vanilla-query-order-key-case": query parameters sorted by name', () => {
    const authorization = signV4({
      ...SUITE,
      url: new URL('https://example.amazonaws.com/?Param2=value2&Param1=value1'),
      headers: SUITE_HEADERS,
    });
    assert.equal(authorization, `${SUITE_CREDENTIAL}, Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500`);
  });

  // The suite's "get-space" and "get-utf8" send their paths unencoded (`GET /example space/`) and sign them encoded
  // once: the S3 rule, where the path on the wire is signed as it is. Every other service, and this signer, encode
  // the wire path (`/example%20space/`, `/%E1%88%B4`: how a URL carries them) once more. So the suite's signatures are
  // reproduced by the SDK's own signer with S3's single encoding, and ours equals that signer's double encoding.
  /** The SDK's hash interface over node:crypto (HMAC when given a key). */
  const bytes = (data: string | ArrayBuffer | ArrayBufferView): string | Uint8Array =>
    typeof data === 'string'
      ? data
      : ArrayBuffer.isView(data)
        ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
        : new Uint8Array(data);
  class Sha256 {
    private readonly hash: Hash | Hmac;
    // `unknown`: the SDK's two hash interfaces (Hash, Checksum) type their inputs differently; both pass these kinds.
    constructor(secret?: unknown) {
      this.hash =
        secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret as string | ArrayBuffer | ArrayBufferView));
    }
    update(data: unknown): void {
      this.hash.update(bytes(data as string | ArrayBuffer | ArrayBufferView));
    }
    digest(): Promise<Uint8Array> {
      return Promise.resolve(this.hash.digest());
    }
  }
  const sdkSigner = (uriEscapePath: boolean): SignatureV4 =>
    new SignatureV4({
      credentials: SUITE.credentials,
      region: SUITE.region,
      service: SUITE.service,
      sha256: Sha256,
      uriEscapePath,
      applyChecksum: false,
    });
  const sdkAuthorization = async (signer: SignatureV4, wirePath: string): Promise<string> => {
    const signed = await signer.sign(
      {
        method: 'GET',
        protocol: 'https:',
        hostname: 'example.amazonaws.com',
        path: wirePath,
        query: {},
        headers: { host: 'example.amazonaws.com' },
      },
      { signingDate: new Date('2015-08-30T12:36:00Z') },
    );
    return signed.headers.authorization as string;
  };
  for (const vector of [
    {
      name: 'get-space',
      path: '/example space/',
      wire: '/example%20space/',
      signature: '652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741',
    },
    {
      name: 'get-utf8',
      path: '/\u1234',
      wire: '/%E1%88%B4',
      signature: '8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85',
    },
  ]) {
    it(`signs "${vector.name}" the way every service but S3 does: the wire path encoded again`, async () => {
      const url = new URL(`https://example.amazonaws.com${vector.path}`);
      assert.equal(url.pathname, vector.wire);
      // The suite's own signature: single (S3) encoding of that wire path.
      assert.equal(await sdkAuthorization(sdkSigner(false), vector.wire), `${SUITE_CREDENTIAL}, Signature=${vector.signature}`);
      const ours = signV4({ ...SUITE, url, headers: SUITE_HEADERS });
      assert.equal(ours, await sdkAuthorization(sdkSigner(true), vector.wire));
      assert.notEqual(ours, `${SUITE_CREDENTIAL}, Signature=${vector.signature}`, 'a single-encoding (S3) signer is not what this one is');
    });
  }

  it('encodes each path segment, keeping the slashes between them and RFC 3986 unreserved characters as they are', async () => {
    for (const path of ['/a b/c d/', '/-._~/x', "/!'()*/$&+,;=:@", '/caf\u00e9/\u{1f680}', '/a%2Fb/c']) {
      const url = new URL(`https://example.amazonaws.com${path}`);
      assert.equal(signV4({ ...SUITE, url, headers: SUITE_HEADERS }), await sdkAuthorization(sdkSigner(true), url.pathname), path);
    }
  });

  it('signs header names in any case, trimmed values, sorted', () => {
    const lower = signV4({ ...SUITE, url: new URL('https://example.amazonaws.com/'), headers: SUITE_HEADERS });
    const mixed = signV4({
      ...SUITE,
      url: new URL('https://example.amazonaws.com/'),
      headers: { 'X-Amz-Date': ' 20150830T123600Z ', Host: 'example.amazonaws.com' },
    });
    assert.equal(mixed, lower);
  });

  /** The SDK signer's Authorization header for a GET of `url` with `headers` (repeated query names as a list). */
  const sdkSigned = async (url: URL, headers: Record<string, string>): Promise<string> => {
    const query: Record<string, string | string[]> = {};
    for (const [k, v] of url.searchParams) {
      const seen = query[k];
      query[k] = seen === undefined ? v : [...[seen].flat(), v];
    }
    const signed = await sdkSigner(true).sign(
      { method: 'GET', protocol: 'https:', hostname: url.hostname, path: url.pathname, query, headers: { ...headers } },
      { signingDate: new Date('2015-08-30T12:36:00Z') },
    );
    return signed.headers.authorization as string;
  };

  it('sorts query parameters by name, then repeated names by value, whatever order they are sent in', async () => {
    const queries = [
      '?Param1=value2&Param1=value1',
      '?Param1=value1&Param1=value2',
      '?b=2&a=1&c=3',
      '?c=3&b=2&a=1',
      '?a=1&c=3&b=2',
      '?z=last&a=b&a=a&a=c&m=&%20x=y&A=upper',
      '?a=c&a=a&z=last&A=upper&m=&a=b&%20x=y',
      '?k=%E2%9C%93&k=~&k=-&k2=1&k=_',
    ];
    for (const query of queries) {
      const url = new URL(`https://example.amazonaws.com/${query}`);
      assert.equal(signV4({ ...SUITE, url, headers: SUITE_HEADERS }), await sdkSigned(url, { host: 'example.amazonaws.com' }), query);
    }
    const sign = (query: string) => signV4({ ...SUITE, url: new URL(`https://example.amazonaws.com/${query}`), headers: SUITE_HEADERS });
    assert.equal(sign(queries[0]!), sign(queries[1]!));
    assert.equal(sign(queries[2]!), sign(queries[3]!));
    assert.equal(sign(queries[5]!), sign(queries[6]!));
    assert.notEqual(sign('?a=1&a=2'), sign('?a=1&a=3'));
    // Long lists are merged rather than inserted: the order must hold there too.
    const many = Array.from({ length: 200 }, (_, i) => `p${(i * 7919) % 13}=v${(i * 104729) % 200}`);
    const url = new URL(`https://example.amazonaws.com/?${many.join('&')}`);
    assert.equal(signV4({ ...SUITE, url, headers: SUITE_HEADERS }), await sdkSigned(url, { host: 'example.amazonaws.com' }));
  });

  it('signs several headers sorted by lowercased name, as the SDK does', async () => {
    const url = new URL('https://example.amazonaws.com/?Action=List&Version=1');
    const headers = {
      'x-amz-target': 'secretsmanager.GetSecretValue',
      host: 'example.amazonaws.com',
      'Content-Type': 'application/x-amz-json-1.1',
      'X-Amz-Meta-B': ' two  words ',
      'x-amz-meta-a': 'one',
      'x-amz-date': SUITE.amzDate,
    };
    const ours = signV4({ ...SUITE, url, headers });
    assert.match(ours, /SignedHeaders=content-type;host;x-amz-date;x-amz-meta-a;x-amz-meta-b;x-amz-target,/);
    const { 'x-amz-date': _, ...unsigned } = headers;
    assert.equal(ours, await sdkSigned(url, unsigned));
  });

  it("produces the SDK's Authorization header for the SDK's own GetSecretValue request (session token included)", async () => {
    let captured:
      { protocol: string; hostname: string; path: string; method: string; headers: Record<string, string>; body: string } | undefined;
    const client = new SecretsManagerClient({
      region: 'eu-central-1',
      credentials: { accessKeyId: 'AKIDSDKCHECK', secretAccessKey: 'sdk-check-secret', sessionToken: 'sdk-check-token' },
      maxAttempts: 1,
      requestHandler: {
        handle: (request: typeof captured) => {
          captured = request;
          return Promise.reject(new Error('captured'));
        },
      },
    });
    await assert.rejects(client.send(new GetSecretValueCommand({ SecretId: 'meshgate/prod/signing-keys', VersionStage: 'AWSCURRENT' })));
    assert.ok(captured);
    const sdkAuthorization = captured.headers.authorization!;
    const signed = /SignedHeaders=([^,]+)/.exec(sdkAuthorization)![1]!.split(';');
    assert.ok(signed.includes('x-amz-security-token') && signed.includes('x-amz-target'));

    const ours = signV4({
      method: captured.method,
      url: new URL(`${captured.protocol}//${captured.hostname}${captured.path}`),
      headers: Object.fromEntries(signed.map((name) => [name, captured!.headers[name]!])),
      body: captured.body,
      region: 'eu-central-1',
      service: 'secretsmanager',
      credentials: { accessKeyId: 'AKIDSDKCHECK', secretAccessKey: 'sdk-check-secret' },
      amzDate: captured.headers['x-amz-date']!,
    });
    assert.equal(ours, sdkAuthorization);
  });
});

describe('Function: amzDate', () => {
  it('formats a time as x-amz-date, whole seconds, UTC', () => {
    assert.equal(amzDate(new Date('2015-08-30T12:36:00.987Z')), '20150830T123600Z');
  });
});
