// A JWKS endpoint on 127.0.0.1 whose keys, latency and health the test controls; one copy, kept with the consumer package's tests.
export * from '../../packages/consumer/test/support/jwks-server';
