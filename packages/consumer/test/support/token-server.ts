// A token-exchange endpoint on 127.0.0.1 that signs real delegated assertions with a test key; the test sets how it answers.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { bodyDigest, requestTargetHash } from '../../src/index.js';
import { nowSeconds, signDelegated, type TestKey } from './keys.js';
import { closeServer, listenOnLoopback } from './loopback.js';

export interface TokenServer {
  readonly url: string;
  /** Every request's form, in arrival order. */
  readonly forms: URLSearchParams[];
  readonly headers: IncomingHttpHeaders[];
  /** `ok` signs; `5xx-once` answers 503 to the next request, then signs; `5xx` always 503; `refuse` 400 invalid_target. */
  mode: 'ok' | '5xx-once' | '5xx' | 'refuse' | 'no-token';
  expiresIn: number;
  close(): Promise<void>;
}

function subjectClaims(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** Signs what meshgate's exchange would for a single hop: the subject's caller, actor `actor`, bound to the request given. */
function delegatedFor(form: URLSearchParams, actor: string, key: TestKey, expiresIn: number): string {
  const subject = subjectClaims(form.get('subject_token') ?? '');
  const iat = nowSeconds();
  return signDelegated(
    {
      iss: subject.iss,
      aud: form.get('audience'),
      sub: subject.sub,
      type: subject.type,
      groups: subject.groups,
      src_iss: subject.src_iss,
      scope: form.get('scope') ?? 'payments:charge',
      iat,
      exp: iat + expiresIn,
      jti: `delegated-${Math.random()}`,
      req: requestTargetHash(form.get('request_method') ?? '', form.get('request_target') ?? ''),
      body_sha256: form.get('body_sha256') ?? bodyDigest(undefined),
      txn: subject.txn ?? subject.jti,
      act: { sub: actor },
      act_sub: actor,
      chain: [actor],
    },
    key,
  );
}

export async function startTokenServer(key: TestKey, actor: string): Promise<TokenServer> {
  const state = { forms: [] as URLSearchParams[], headers: [] as IncomingHttpHeaders[], mode: 'ok' as TokenServer['mode'], expiresIn: 60 };
  const json = (status: number, body: unknown) => ({ status, body: JSON.stringify(body) });
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      state.forms.push(form);
      state.headers.push(req.headers);
      const mode = state.mode;
      if (mode === '5xx-once') state.mode = 'ok';
      const answer =
        mode === '5xx' || mode === '5xx-once'
          ? json(503, { message: 'Service Unavailable' })
          : mode === 'refuse'
            ? json(400, { error: 'invalid_target', error_description: 'no edge from orders to this audience' })
            : mode === 'no-token'
              ? json(200, { token_type: 'N_A', expires_in: 60 })
              : json(200, {
                  access_token: delegatedFor(form, actor, key, state.expiresIn),
                  issued_token_type: 'urn:ietf:params:oauth:token-type:jwt',
                  token_type: 'N_A',
                  expires_in: state.expiresIn,
                });
      res.writeHead(answer.status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(answer.body);
    });
  });
  const port = await listenOnLoopback(server);
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}/token`,
    close: () => closeServer(server),
  });
}
