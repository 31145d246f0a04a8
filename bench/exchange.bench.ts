// Token exchange compute (form → actor → verify subject → rules → sign → decision line) beside raw ES256 verify + sign;
// the cost of one pre-minted assertion beside a raw ES256 sign.
import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { DELEGATED_ASSERTION_TYP } from '@meshgate/consumer';
import { handleExchangeEvent } from '../src/exchange/exchange';
import { delegate } from '../src/exchange/delegate';
import { parseTokenForm } from '../src/exchange/form';
import { readExchangeParams } from '../src/exchange/params';
import { premintedAssertions } from '../src/exchange/premint';
import { verifySubject } from '../src/exchange/subject';
import { readIngressEvent } from '../src/ingress/request';
import { signAssertion } from '../src/keys/assertion';
import { emfCount, logger } from '../src/observability';
import { measurePair, ratio, type Ratio } from './harness';
import {
  exchangeEvent,
  exchangeForm,
  exchangeRoutes,
  hop0Claims,
  ISSUER,
  keySet,
  roleSession,
  signSubject,
  testExchange,
} from '../test/exchange/support';

export async function benchExchange(): Promise<Ratio[]> {
  const exchange = testExchange();
  const hop0 = hop0Claims('orders-service', { exp: Math.floor(Date.now() / 1000) + 300 });
  const subject = signSubject(hop0);
  const event = exchangeEvent({ callerArn: roleSession('orders'), form: exchangeForm(subject) });
  const probe = await handleExchangeEvent(exchange, event);
  if (probe.statusCode !== 200) throw new Error(`bench exchange is refused: ${probe.body}`);

  const { kty, crv, x, y } = keySet.current.privateJwk;
  const publicKey = createPublicKey({ key: { kty, crv, x, y }, format: 'jwk' });
  const privateKey = createPrivateKey({ key: { ...keySet.current.privateJwk }, format: 'jwk' });
  const [h, p, s] = subject.split('.') as [string, string, string];
  const signingInput = Buffer.from(`${h}.${p}`);
  const signature = Buffer.from(s, 'base64url');
  const rawVerifySign = (): Buffer => {
    if (!verify('sha256', signingInput, { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature)) throw new Error('bench subject');
    return sign('sha256', signingInput, { key: privateKey, dsaEncoding: 'ieee-p1363' });
  };
  const [compute, baseline] = await measurePair(
    'exchange handler: form, IAM actor, subject verify, rules, sign, decision line',
    () => handleExchangeEvent(exchange, event),
    'raw ES256 verify + raw ES256 sign',
    rawVerifySign,
    { batch: 500 },
  );

  // Where the handler's time goes, each stage as a share of the same raw verify + sign (reported, no goal).
  const orders = exchangeRoutes.upstreams.get('orders')!;
  const request = readIngressEvent(event);
  const body = Buffer.from(request.body ?? '', request.isBase64Encoded ? 'base64' : 'utf8');
  const params = readExchangeParams(parseTokenForm(request.untrustedHeaders.get('content-type'), body));
  const nowSeconds = Math.floor(Date.now() / 1000);
  const verified = verifySubject(params.subjectToken, keySet, { issuer: ISSUER, clockSkewSeconds: 30 }, nowSeconds);
  const ask = { actor: orders, audience: params.audience, scopes: params.scopes, request: params.request };
  const claims = delegate(exchangeRoutes, verified, ask, { issuer: ISSUER, ttlSeconds: 60 }, nowSeconds);
  const stages: Array<[string, () => unknown]> = [
    [
      'read event, form and parameters',
      () => readExchangeParams(parseTokenForm(readIngressEvent(event).untrustedHeaders.get('content-type'), body)),
    ],
    [
      'verify subject (signature, claims, chain)',
      () => verifySubject(params.subjectToken, keySet, { issuer: ISSUER, clockSkewSeconds: 30 }, nowSeconds),
    ],
    ['delegation rules and claims', () => delegate(exchangeRoutes, verified, ask, { issuer: ISSUER, ttlSeconds: 60 }, nowSeconds)],
    ['sign the delegated assertion', () => signAssertion(claims, keySet.current, DELEGATED_ASSERTION_TYP)],
    [
      'decision log line (Powertools Logger, EMF count)',
      () =>
        logger.info('exchange decision', {
          actor: 'orders',
          sub: verified.sub,
          txn: verified.txn,
          outcome: 'issued',
          reason: 'ok',
          ...emfCount('ExchangeIssued'),
        }),
    ],
  ];
  const shares: Ratio[] = [];
  for (const [name, fn] of stages) {
    const [stage, base] = await measurePair(`exchange stage: ${name}`, fn, 'raw ES256 verify + raw ES256 sign', rawVerifySign, {
      batch: 500,
    });
    shares.push({ ...ratio('exchange', `  of which: ${name}`, stage, base, {}), goal: 'reported' });
  }

  const settings = { issuer: ISSUER, ttlSeconds: 60 };
  const now = Math.floor(Date.now() / 1000);
  if (premintedAssertions(exchangeRoutes, orders, hop0 as never, keySet, settings, now).length !== 1) throw new Error('bench premint edge');
  const [premint, rawSign] = await measurePair(
    'one pre-minted assertion (rules + claims + sign)',
    () => premintedAssertions(exchangeRoutes, orders, hop0 as never, keySet, settings, now),
    'raw ES256 sign',
    () => sign('sha256', signingInput, { key: privateKey, dsaEncoding: 'ieee-p1363' }),
    { batch: 500 },
  );
  return [
    ratio('exchange', 'handler compute vs raw ES256 verify + sign', compute, baseline, { maxRatio: 1.3 }),
    ...shares,
    ratio('exchange', 'cost per pre-minted assertion vs raw ES256 sign', premint, rawSign, { maxRatio: 1.3 }),
  ];
}
