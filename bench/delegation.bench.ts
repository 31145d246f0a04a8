// The delegation client's cost on a cache hit: what A pays per call to B once the assertion for that call is cached.
import { createDelegationClient, JWT_TOKEN_TYPE, type DelegatedCall, type FetchLike } from '@meshgate/consumer';
import { claims, delegatedClaims, newKeySet, signAssertion, signDelegated } from '../packages/consumer/test/support/keys';
import { measurePair, ratio, type Ratio } from './harness';

export async function benchDelegation(): Promise<Ratio[]> {
  const set = newKeySet();
  const issued = signDelegated(delegatedClaims(), set.current);
  let exchanges = 0;
  // The endpoint answers in-process: only the first call exchanges, every measured call is a cache hit.
  const fetch: FetchLike = () => {
    exchanges++;
    const body = JSON.stringify({ access_token: issued, issued_token_type: JWT_TOKEN_TYPE, token_type: 'N_A', expires_in: 300 });
    return Promise.resolve({ status: 200, text: () => Promise.resolve(body) });
  };
  const client = createDelegationClient({ tokenEndpoint: 'https://meshgate.bench.example/token', fetch });
  const call: DelegatedCall = {
    subjectToken: signAssertion(claims({ aud: 'orders' }), set.current),
    audience: 'payments',
    method: 'POST',
    target: '/charges?currency=EUR',
    body: '{"amount":5,"currency":"EUR"}',
  };
  await client.assertionFor(call);
  // "The call itself": the awaited request A makes to B anyway, reduced to its await so only the helper's cost remains.
  const theCall = (): Promise<void> => Promise.resolve();
  const [withHelper, alone] = await measurePair(
    'cached assertionFor + the call',
    async () => {
      await client.assertionFor(call);
      await theCall();
    },
    'the call alone',
    theCall,
    { batch: 20000 },
  );
  if (exchanges !== 1) throw new Error(`expected one exchange, got ${exchanges}`);
  const overhead = { name: 'cached helper call over the call', usPerOp: withHelper.usPerOp - alone.usPerOp };
  return [ratio('delegation', 'cached helper call, cost over the call itself', overhead, alone, { maxValue: 5 })];
}
