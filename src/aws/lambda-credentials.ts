// The credential chain of a bundle that carries its own AWS SDK (rotate, scheduled: config/esbuild-aws-sdk.js aliases
// @aws-sdk/credential-provider-node to this file). Lambda hands a function its role's credentials as environment
// variables, or through the container credentials endpoint (SnapStart); the SDK's full default chain adds SSO, INI
// profiles, credential processes and web identity, with their STS and SSO clients (~90 KB bundled), for neither.
import { fromEnv } from '@aws-sdk/credential-provider-env';
import { fromHttp } from '@aws-sdk/credential-provider-http';
import { chain } from '@smithy/core/config';
import type { AwsCredentialIdentityProvider } from '@smithy/types';

type ProviderInit = Parameters<typeof fromEnv>[0] & Parameters<typeof fromHttp>[0];

/**
 * Same name and call shape as `@aws-sdk/credential-provider-node`'s `defaultProvider`, which the SDK clients import.
 *
 * @example
 * const { accessKeyId } = await defaultProvider()(); // in Lambda: the execution role's credentials
 */
export const defaultProvider = (init: ProviderInit = {}): AwsCredentialIdentityProvider =>
  // fromHttp throws when built without a container credentials URI: built only when the environment holds none.
  chain(fromEnv(init), () => fromHttp(init)());
