// AWS Signature Version 4 over node:crypto: the Authorization header for one request (one HMAC chain, no SDK).
import { createHash, createHmac } from 'node:crypto';
import { percentEncode } from '../http/percent-encoding';

export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export interface SigV4Request {
  readonly method: string;
  readonly url: URL;
  /** Every header to sign, `host` and `x-amz-date` included (names in any case). */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly region: string;
  readonly service: string;
  readonly credentials: AwsCredentials;
  /** `YYYYMMDD'T'HHMMSS'Z'`, the `x-amz-date` header's value. */
  readonly amzDate: string;
}

const sha256Hex = (data: string): string => createHash('sha256').update(data, 'utf8').digest('hex');
const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data, 'utf8').digest();

/** RFC 3986 unreserved characters stay; everything else is percent-encoded. */
const rfc3986 = (text: string): string => percentEncode(text, /[^A-Za-z0-9\-._~]/gu);

/**
 * Every path segment encoded once more, as SigV4 wants for every service but S3 (the URL's path is already encoded once;
 * an http(s) URL's path is never empty, at least `/`).
 */
const canonicalPath = (url: URL): string => url.pathname.split('/').map(rfc3986).join('/');

/** Sorted by encoded name, then value: a NUL sorts below every encoded character, so one string order does both. */
const canonicalQuery = (url: URL): string =>
  [...url.searchParams]
    .map(([k, v]) => `${rfc3986(k)}\0${rfc3986(v)}`)
    .sort()
    .map((pair) => pair.replace('\0', '='))
    .join('&');

/** The `x-amz-date` form of a time: `20150830T123600Z`. */
export function amzDate(at: Date): string {
  return at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/**
 * The `Authorization` header value for `request`, signed with SigV4 (HMAC-SHA256, header-based, payload hashed).
 * Header values are trimmed and inner runs of spaces collapsed, as the canonical form requires.
 *
 * @example
 * const authorization = signV4({
 *   method: 'GET',
 *   url: new URL('https://example.amazonaws.com/'),
 *   headers: { host: 'example.amazonaws.com', 'x-amz-date': '20150830T123600Z' },
 *   body: '',
 *   region: 'us-east-1',
 *   service: 'service',
 *   credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
 *   amzDate: '20150830T123600Z',
 * }); // 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31'
 */
export function signV4(request: SigV4Request): string {
  const headers = Object.entries(request.headers)
    .map(([name, value]) => [name.toLowerCase(), value.trim().replace(/ +/g, ' ')] as const)
    .sort(([a], [b]) => (a < b ? -1 : 1));
  const signedHeaders = headers.map(([name]) => name).join(';');
  const canonicalRequest = [
    request.method.toUpperCase(),
    canonicalPath(request.url),
    canonicalQuery(request.url),
    headers.map(([name, value]) => `${name}:${value}\n`).join(''),
    signedHeaders,
    sha256Hex(request.body),
  ].join('\n');
  const day = request.amzDate.slice(0, 8);
  const scope = `${day}/${request.region}/${request.service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', request.amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const key = [day, request.region, request.service, 'aws4_request'].reduce<string | Buffer>(
    (k, part) => hmac(k, part),
    `AWS4${request.credentials.secretAccessKey}`,
  );
  const signature = createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex');
  return `AWS4-HMAC-SHA256 Credential=${request.credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
}
