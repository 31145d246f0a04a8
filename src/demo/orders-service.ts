// The demo `orders` service of `npm start`: verifies its caller's assertion, then calls payments for that caller through the exchange.
import {
  ASSERTION_HEADER,
  DelegationError,
  PREMINT_HEADER,
  createAssertionVerifier,
  createDelegationClient,
  verifyRequest,
} from '@meshgate/consumer';
import { readBody, serveDemo, type DemoServer } from './serve';

export interface OrdersServiceOptions {
  /** 0 lets the OS choose. */
  readonly port: number;
  readonly host: string;
  readonly issuer: string;
  /** This service's audience (`upstreams.orders.audience`). */
  readonly audience: string;
  readonly jwksUri: string;
  /** meshgate's `POST /token`. */
  readonly tokenEndpoint: string;
  /** Base URL of payments, and its audience. */
  readonly paymentsUrl: string;
  readonly paymentsAudience: string;
  /** A client-credentials access token of this service (locally: from the local issuer). */
  readonly actorToken: () => Promise<string>;
}

export type OrdersService = DemoServer;

/**
 * What orders calls at payments for each of its own routes. `/refunds` is on purpose outside the declared edge
 * (config/routes.json allows orders → payments `POST /charges` only): the exchange refuses it.
 */
export const ORDERS_TO_PAYMENTS: Readonly<Record<string, string>> = { '/checkout': '/charges', '/refunds': '/refunds' };
const MAX_BODY_BYTES = 64 * 1024;

/**
 * Starts orders on `host:port`. `POST /checkout` verifies the caller, obtains a delegated assertion for
 * `POST /charges` at payments and answers 200 with what orders trusted and what payments answered; `POST /refunds`
 * asks for `POST /refunds`, which no edge allows, and answers 403 with the exchange's RFC error.
 *
 * @example
 * // given: declare const issuer: string, jwksUri: string, actorToken: () => Promise<string>;
 * const orders = await startOrdersService({
 *   port: 0, host: '127.0.0.1', issuer, audience: 'orders-service', jwksUri, tokenEndpoint: `${issuer}/token`,
 *   paymentsUrl: 'http://127.0.0.1:4003', paymentsAudience: 'payments-service', actorToken,
 * });
 * await orders.close();
 */
export async function startOrdersService(options: OrdersServiceOptions): Promise<OrdersService> {
  const verifier = createAssertionVerifier({ issuer: options.issuer, audience: options.audience, jwksUri: options.jwksUri });
  const delegation = createDelegationClient({ tokenEndpoint: options.tokenEndpoint, actorToken: options.actorToken });
  return serveDemo(options.host, options.port, async (req, send) => {
    const body = await readBody(req, MAX_BODY_BYTES);
    const trusted = await verifyRequest(verifier, req, { body });
    const target = ORDERS_TO_PAYMENTS[new URL(req.url ?? '/', 'http://orders.invalid').pathname];
    if (req.method !== 'POST' || target === undefined) return send(404, 'application/json', { error: 'not_found' });
    const subjectToken = req.headers[ASSERTION_HEADER] as string;
    const preminted = req.headers[PREMINT_HEADER];
    const call = { subjectToken, audience: options.paymentsAudience, method: 'POST', target, body: body.toString('utf8') };
    let assertion: string;
    try {
      assertion = await delegation.assertionFor(preminted === undefined ? call : { ...call, preminted });
    } catch (err) {
      if (!(err instanceof DelegationError)) throw err;
      return send(403, 'application/json', {
        orders: { trusted },
        refused: { code: err.code, error: err.oauthError, message: err.message },
      });
    }
    const payments = await fetch(`${options.paymentsUrl}${target}`, {
      method: 'POST',
      headers: { [ASSERTION_HEADER]: assertion, 'content-type': req.headers['content-type'] ?? 'application/json' },
      body,
    });
    send(payments.ok ? 200 : 502, 'application/json', {
      orders: { trusted },
      payments: { status: payments.status, ...((await payments.json()) as object) },
    });
  });
}
