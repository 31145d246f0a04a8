// Token exchange compute (form → actor → verify subject → rules → sign → decision line) beside raw ES256 verify + sign;
// the cost of one pre-minted assertion beside a raw ES256 sign.
import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { handleExchangeEvent } from '../src/exchange/exchange';
import { premintedAssertions } from '../src/exchange/premint';
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

  const orders = exchangeRoutes.upstreams.get('orders')!;
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
    ratio('exchange', 'cost per pre-minted assertion vs raw ES256 sign', premint, rawSign, { maxRatio: 1.3 }),
  ];
}
