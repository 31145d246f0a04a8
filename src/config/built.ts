// A handler core built once per cold start, or the configuration error that makes every request fail closed.
import { ConfigError, isMeshgateError, type MeshgateError } from '../errors';
import { logger } from '../observability';

/** A built core, or the configuration error the handler answers every request with. */
export type Built<Core> = { readonly ok: true; readonly core: Core } | { readonly ok: false; readonly error: MeshgateError };

/**
 * Runs `build` once. A failure is kept (never rethrown: a crash loop would answer nothing) and logged as
 * `configuration invalid: <consequence>` with the field it names; a non-meshgate error becomes a `ConfigError`.
 *
 * @example
 * // given: import type { IngressConfig } from '../ingress/ingress-config';
 * // given: declare const load: () => IngressConfig;
 * const ingress = buildOrKeepConfigError(() => ({ config: load() }), 'every request is answered 503');
 */
export function buildOrKeepConfigError<Core>(build: () => Core, consequence: string): Built<Core> {
  try {
    return { ok: true, core: build() };
  } catch (err) {
    const error = isMeshgateError(err) ? err : new ConfigError('config', (err as Error).message, { cause: err });
    logger.error(`configuration invalid: ${consequence}`, { code: error.code, error: error.message });
    return { ok: false, error };
  }
}
