// Turns any thrown value into a problem+json answer, by the one error table (./error-table).
import { isMeshgateError } from '../errors';
import { logger } from '../observability';
import { ERROR_TABLE, type ErrorRow } from './error-table';
import { problemResult, problemType, type HttpResult, type Problem, type ProblemItem } from './problem';

function problemItems(details: Readonly<Record<string, unknown>>): ProblemItem[] | undefined {
  const items = details.errors;
  return Array.isArray(items) && items.length > 0 ? (items as ProblemItem[]) : undefined;
}

/**
 * Turns any thrown value into a problem+json answer. A {@link MeshgateError} gets its code's status and title
 * (and its message as `detail` when the table allows); anything else is a bare 500 with no detail, and is logged.
 *
 * @example
 * // given: import type { APIGatewayProxyEvent } from 'aws-lambda';
 * // given: declare const err: unknown, event: APIGatewayProxyEvent;
 * const result = errorResult(err, event.requestContext.requestId);
 */
export function errorResult(err: unknown, requestId: string | undefined): HttpResult {
  return problemResult(toProblem(err, requestId));
}

/** The problem object for an error (see {@link errorResult}). */
export function toProblem(err: unknown, requestId: string | undefined): Problem {
  const instance = requestId === undefined ? {} : { instance: requestId };
  if (!isMeshgateError(err)) {
    logger.error('unexpected error', {
      error: err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : String(err),
    });
    const { status, title } = ERROR_TABLE.internal;
    return { type: problemType('internal'), code: 'internal', title, status, ...instance };
  }
  const mapping: ErrorRow = ERROR_TABLE[err.code];
  const errors = mapping.expose ? problemItems(err.details) : undefined;
  return {
    type: problemType(err.code),
    code: err.code,
    title: mapping.title,
    status: mapping.status,
    ...(mapping.expose ? { detail: err.message } : {}),
    ...instance,
    ...(errors ? { errors } : {}),
  };
}
