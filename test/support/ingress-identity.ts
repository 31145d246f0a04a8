// A verified user identity and a well-formed assertion, as the ingress enricher receives them.
import type { VerifiedIdentity } from '../../src/auth/identity';

/** A compact JWS in shape only: enrichHeaders forwards it, nothing here verifies it. */
export const ASSERTION = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln';

export const verifiedUser: VerifiedIdentity = Object.freeze({
  sub: 'user-1',
  iss: 'https://idp.example.com/',
  type: 'user',
  scopes: ['orders:read', 'orders:write'],
  groups: ['staff', 'admin'],
  tenant: 'acme',
  clientId: 'web',
  exp: 0,
});
