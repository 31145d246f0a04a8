// A Secrets Manager test double on 127.0.0.1 (the AWS boundary): its AWS JSON 1.1 wire protocol, answers chosen per
// test, and every request's SigV4 signature recomputed from what arrived on the wire.
import { signV4, type AwsCredentials } from '../../../src/keys/sigv4';
import { startUpstream, type SeenRequest } from '../../support/upstream-server';

export const DOUBLE_CREDENTIALS: AwsCredentials = {
  accessKeyId: 'AKIDSECRETSDOUBLE',
  secretAccessKey: 'secrets-double-secret-key',
  sessionToken: 'secrets-double-session-token',
};
export const DOUBLE_REGION = 'eu-west-1';

export interface SecretsManagerCall {
  /** `GetSecretValue`, from `x-amz-target: secretsmanager.GetSecretValue`. */
  readonly operation: string;
  readonly input: Record<string, unknown>;
  readonly seen: SeenRequest;
  /** The Authorization header equals SigV4 over the signed headers and body as received, with DOUBLE_CREDENTIALS. */
  readonly signatureValid: boolean;
}

/**
 * An HTTP answer (`body` sent as JSON, or `raw` text as it is), or `reset` (the connection drops without one), `truncate`
 * (it drops after the headers and part of the body), or `hang` (no answer at all).
 */
export type DoubleAnswer =
  { status: number; body?: unknown; raw?: string; headers?: Record<string, string> } | 'reset' | 'truncate' | 'hang';

export interface SecretsManagerDouble {
  /** What the reader under test reads: Region, endpoint and the function's credentials, as Lambda sets them. */
  readonly env: Record<string, string>;
  readonly calls: SecretsManagerCall[];
  /** Decides every following answer. Default: 400 ResourceNotFoundException. */
  answer(fn: (call: SecretsManagerCall) => DoubleAnswer): void;
  connections(): number;
  close(): Promise<void>;
}

function signatureValid(seen: SeenRequest, base: string): boolean {
  const authorization = String(seen.headers.authorization ?? '');
  const signed = /SignedHeaders=([^,]+)/.exec(authorization)?.[1]?.split(';') ?? [];
  const headers = Object.fromEntries(signed.map((name) => [name, String(seen.headers[name] ?? '')]));
  const expected = signV4({
    method: seen.method,
    url: new URL(seen.url, base),
    headers,
    body: seen.body.toString('utf8'),
    region: DOUBLE_REGION,
    service: 'secretsmanager',
    credentials: DOUBLE_CREDENTIALS,
    amzDate: String(seen.headers['x-amz-date'] ?? ''),
  });
  return signed.includes('host') && signed.includes('x-amz-date') && authorization === expected;
}

/** A text answer of GetSecretValue. */
export const secretValue = (text: string): DoubleAnswer => ({
  status: 200,
  body: { Name: 'secret', SecretString: text, VersionStages: ['AWSCURRENT'] },
});

/** An AWS JSON 1.1 error answer, `__type` namespaced as Secrets Manager sends it. */
export const awsError = (status: number, code: string, message = code): DoubleAnswer => ({
  status,
  body: { __type: `com.amazonaws.secretsmanager#${code}`, Message: message },
});

export async function startSecretsManagerDouble(): Promise<SecretsManagerDouble> {
  const calls: SecretsManagerCall[] = [];
  let decide: (call: SecretsManagerCall) => DoubleAnswer = () => awsError(400, 'ResourceNotFoundException');
  let base = '';
  const server = await startUpstream((_req, res, seen) => {
    let input: Record<string, unknown> = {};
    try {
      input = JSON.parse(seen.body.toString('utf8')) as Record<string, unknown>;
    } catch {
      // The call records what arrived; the test asserts on it.
    }
    const call = {
      operation: String(seen.headers['x-amz-target'] ?? '').replace(/^secretsmanager\./, ''),
      input,
      seen,
      signatureValid: signatureValid(seen, base),
    };
    calls.push(call);
    const answer = decide(call);
    if (answer === 'hang') return;
    if (answer === 'reset') {
      res.socket?.destroy();
      return;
    }
    if (answer === 'truncate') {
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1', 'content-length': '100' });
      res.write('{"Name":"secret",', () => res.socket?.destroy());
      return;
    }
    res.writeHead(answer.status, { 'content-type': 'application/x-amz-json-1.1', ...answer.headers });
    res.end(answer.raw ?? (answer.body === undefined ? '' : JSON.stringify(answer.body)));
  });
  base = server.url;
  return {
    env: {
      AWS_REGION: DOUBLE_REGION,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: server.url,
      AWS_ACCESS_KEY_ID: DOUBLE_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: DOUBLE_CREDENTIALS.secretAccessKey,
      AWS_SESSION_TOKEN: DOUBLE_CREDENTIALS.sessionToken!,
    },
    calls,
    answer: (fn) => {
      decide = fn;
    },
    connections: () => server.connections(),
    close: () => server.close(),
  };
}
