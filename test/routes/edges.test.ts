// Principals and delegation edges in config/routes.json: each mistake is refused with the field it names.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import routesJson from '../../config/routes.json';
import { parseRouteTable } from '../../src/routes/route-table';
import { callerPrincipalKey, iamPrincipalKey } from '../../src/routes/principals';

const base = () => ({
  upstreams: {
    orders: { audience: 'orders-service', principals: { iam: ['arn:aws:iam::123456789012:role/teams/orders'] } },
    payments: { audience: 'payments-service', principals: { clients: [{ issuer: 'https://idp.test/', clientId: 'payments' }] } },
  } as Record<string, unknown>,
  routes: [{ method: 'POST', path: '/checkout', upstream: 'orders' }],
  edges: [
    { from: 'orders', to: 'payments', scopes: ['payments:charge'], routes: [{ method: 'POST', path: '/charges' }], maxDepth: 2 },
  ] as unknown[],
});

const refuses = (mutate: (c: ReturnType<typeof base>) => void, message: RegExp) => {
  const config = base();
  mutate(config);
  assert.throws(() => parseRouteTable(config), message);
};

describe('Function: parseRouteTable (principals and edges)', () => {
  it('parses config/routes.json: edges deny by default, principals per upstream', () => {
    const table = parseRouteTable(routesJson);
    assert.deepEqual(
      table.edges.map((e) => `${e.from.name} → ${e.to.name}`),
      ['orders → payments'],
    );
    assert.equal(table.upstreams.get('orders')!.principals.iam[0]!.key, 'aws:123456789012:role/meshgate-demo-orders');
    assert.equal(table.upstreams.get('demo')!.principals.iam.length, 0);
  });

  it('defaults maxDepth to 1 and premint to false', () => {
    const config = base();
    config.edges = [{ from: 'orders', to: 'payments', routes: [{ method: 'POST', path: '/charges' }] }];
    const [edge] = parseRouteTable(config).edges;
    assert.equal(edge!.maxDepth, 1);
    assert.equal(edge!.premint, false);
    assert.deepEqual(edge!.scopes, []);
  });

  it('names the field of every mistake', () => {
    refuses((c) => ((c.edges[0] as Record<string, unknown>).to = 'ledger'), /routes\.edges\[0\]\.to: unknown upstream "ledger"/);
    refuses((c) => ((c.edges[0] as Record<string, unknown>).from = 'nope'), /routes\.edges\[0\]\.from: unknown upstream "nope"/);
    refuses((c) => ((c.edges[0] as Record<string, unknown>).maxDepth = 6), /routes\.edges\[0\]\.maxDepth: must be an integer from 1 to 5/);
    refuses((c) => ((c.edges[0] as Record<string, unknown>).maxDepth = 0), /routes\.edges\[0\]\.maxDepth/);
    refuses(
      (c) => ((c.edges[0] as Record<string, unknown>).to = 'orders'),
      /routes\.edges\[0\]\.to: an edge joins two different upstreams/,
    );
    refuses((c) => ((c.edges[0] as Record<string, unknown>).routes = []), /routes\.edges\[0\]\.routes: must list/);
    refuses(
      (c) => ((c.edges[0] as Record<string, unknown>).scopes = ['a b']),
      /routes\.edges\[0\]\.scopes\[0\]: must be an RFC 6749 scope token/,
    );
    refuses(
      (c) => ((c.edges[0] as Record<string, unknown>).routes = [{ method: 'POST', path: 'charges' }]),
      /routes\.edges\[0\]\.routes\[0\]\.path/,
    );
    refuses((c) => ((c.edges[0] as Record<string, unknown>).sope = []), /routes\.edges\[0\]\.sope: unknown field/);
    refuses(
      (c) => c.edges.push({ ...(c.edges[0] as object) }),
      /routes\.edges\[1\]: edge orders → payments is already declared at routes\.edges\[0\]/,
    );
    refuses(
      (c) => ((c.edges[0] as Record<string, unknown>).premint = true),
      /routes\.edges\[0\]\.routes\[0\]: premint binds each assertion to one request/,
    );
    refuses(
      (c) => (c.edges[0] = { from: 'orders', to: 'payments', premint: true, routes: [{ method: 'GET', path: '/charges/{id}' }] }),
      /routes\.edges\[0\]\.routes\[0\]: premint .* literal path/,
    );
    refuses(
      (c) =>
        (c.edges[0] = {
          from: 'orders',
          to: 'payments',
          premint: true,
          routes: ['/a', '/b', '/c', '/d', '/e'].map((path) => ({ method: 'GET', path })),
        }),
      /routes\.edges\[0\]\.premint: a request to orders would carry 5 pre-minted assertions; at most 4/,
    );
  });

  it('refuses a principal claimed by two upstreams, even under another path, and an audience used twice', () => {
    refuses(
      (c) => ((c.upstreams.payments as Record<string, unknown>).principals = { iam: ['arn:aws:iam::123456789012:role/other-path/orders'] }),
      /routes\.upstreams\.payments\.principals\.iam\[0\]: iam aws:123456789012:role\/orders is already a principal of upstream orders/,
    );
    refuses(
      (c) => (c.upstreams.ledger = { audience: 'x', principals: { clients: [{ issuer: 'https://idp.test/', clientId: 'payments' }] } }),
      /routes\.upstreams\.ledger\.principals\.clients\[0\]: client https:\/\/idp\.test\/ payments is already a principal of upstream payments/,
    );
    refuses(
      (c) => (c.upstreams.ledger = { audience: 'orders-service' }),
      /routes\.upstreams\.ledger\.audience: "orders-service" is already upstream orders's audience/,
    );
    refuses(
      (c) => ((c.upstreams.orders as Record<string, unknown>).principals = { iam: ['arn:aws:iam::123456789012:root'] }),
      /principals\.iam\[0\]: must be an IAM role or user ARN/,
    );
    refuses(
      (c) => ((c.upstreams.orders as Record<string, unknown>).principals = { roles: [] }),
      /routes\.upstreams\.orders\.principals\.roles: unknown field/,
    );
  });
});

describe('Function: callerPrincipalKey (assumed-role ARN normalisation)', () => {
  it('names an assumed-role session by its role, without the path the role ARN has', () => {
    const role = iamPrincipalKey('arn:aws:iam::123456789012:role/teams/a/orders');
    assert.equal(role, 'aws:123456789012:role/orders');
    assert.equal(callerPrincipalKey('arn:aws:sts::123456789012:assumed-role/orders/i-0abc123'), role);
    assert.equal(callerPrincipalKey('arn:aws-us-gov:sts::123456789012:assumed-role/orders/s1'), 'aws-us-gov:123456789012:role/orders');
    assert.equal(callerPrincipalKey('arn:aws:iam::123456789012:user/ops/alice'), 'aws:123456789012:user/alice');
  });

  it('has no key for the root, federated users, role ARNs (API Gateway reports sessions) and malformed ARNs', () => {
    for (const arn of [
      'arn:aws:iam::123456789012:root',
      'arn:aws:sts::123456789012:federated-user/bob',
      'arn:aws:iam::123456789012:role/orders',
      'arn:aws:sts::12345678901:assumed-role/orders/s',
      'arn:aws:sts::123456789012:assumed-role/orders',
      'arn:aws:sts::123456789012:assumed-role/orders/s/extra',
      `arn:aws:iam::123456789012:user/${'/'.repeat(5000)}x`,
    ])
      assert.equal(callerPrincipalKey(arn), undefined, arn);
  });
});
