// The route schemas, compiled ahead of time (scripts/build-schemas.mjs), looked up by name; Ajv errors → problem items.
// The generated modules are CommonJS (Ajv standalone output); `import x = require()` keeps their typed exports.
// eslint-disable-next-line @typescript-eslint/no-require-imports
import bodyValidators = require('./generated/body-validators');
// eslint-disable-next-line @typescript-eslint/no-require-imports
import queryValidators = require('./generated/query-validators');
import type { ProblemItem } from '../http/problem';

/** The subset of an Ajv error that standalone code produces and we read. */
export interface SchemaError {
  readonly instancePath: string;
  readonly keyword: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly message?: string;
}

/** An Ajv standalone validate function: `errors` holds the first failure after a `false` answer. */
export type StandaloneValidator = ((data: unknown) => boolean) & { errors?: readonly SchemaError[] | null };

/** The body validator compiled from `config/schemas/<name>.json`, or undefined. */
export function bodyValidator(name: string): StandaloneValidator | undefined {
  return Object.hasOwn(bodyValidators, name) ? bodyValidators[name] : undefined;
}

/** The query validator compiled from `config/schemas/<name>.json` (names end in `-query`), or undefined. */
export function queryValidator(name: string): StandaloneValidator | undefined {
  return Object.hasOwn(queryValidators, name) ? queryValidators[name] : undefined;
}

const escapePointer = (segment: string): string => segment.replace(/~/g, '~0').replace(/\//g, '~1');
const unescapePointer = (segment: string): string => segment.replace(/~1/g, '/').replace(/~0/g, '~');

/** The JSON Pointer (RFC 6901) of the failing value: for a missing or extra property, the property itself. */
function failingPath(error: SchemaError): string {
  const name = error.params.missingProperty ?? error.params.additionalProperty ?? error.params.unevaluatedProperty;
  return typeof name === 'string' ? `${error.instancePath}/${escapePointer(name)}` : error.instancePath;
}

/**
 * Turns a validator's errors into problem items: JSON Pointers in fragment form (`#/shipTo/country`) for bodies,
 * parameter names for query strings. Values are never echoed: they may be large or sensitive.
 *
 * @example
 * // given: import { MeshgateError } from '../errors';
 * // given: declare const validate: StandaloneValidator, body: unknown;
 * if (!validate(body)) throw new MeshgateError('payload_invalid', 'body does not match', { details: { errors: schemaProblems(validate.errors, 'body') } });
 */
export function schemaProblems(errors: readonly SchemaError[] | null | undefined, where: 'body' | 'query'): ProblemItem[] {
  return (errors ?? []).map((error) => {
    const path = failingPath(error);
    const detail = error.message ?? `fails ${error.keyword}`;
    if (where === 'body') return { pointer: `#${path}`, detail };
    const parameter = unescapePointer(path.split('/')[1] ?? '');
    return parameter === '' ? { detail } : { parameter, detail };
  });
}
