// X-Ray subsegments sent straight to the Lambda X-Ray daemon (UDP): named spans without loading the X-Ray SDK.
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:dgram';

export interface TraceHeader {
  readonly traceId: string;
  /** The function segment Lambda opened for this invocation. */
  readonly parentId: string;
  readonly sampled: boolean;
}

/**
 * Reads Lambda's `_X_AMZN_TRACE_ID` (`Root=1-…;Parent=…;Sampled=1`); undefined without a Root or a Parent.
 *
 * @example
 * parseTraceHeader('Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1')?.parentId; // '53995c3f42cd8ad8'
 */
export function parseTraceHeader(header: string | undefined): TraceHeader | undefined {
  if (header === undefined) return undefined;
  const fields = new Map(header.split(';').map((part) => part.trim().split('=', 2) as [string, string | undefined]));
  const traceId = fields.get('Root');
  const parentId = fields.get('Parent');
  if (!traceId || !parentId) return undefined;
  return { traceId, parentId, sampled: fields.get('Sampled') === '1' };
}

/**
 * The daemon's UDP address from `AWS_XRAY_DAEMON_ADDRESS` (`host:port`, or `udp:host:port tcp:host:port`).
 *
 * @example
 * daemonAddress('udp:169.254.79.129:2000 tcp:169.254.79.129:2000').port; // 2000
 */
export function daemonAddress(value: string | undefined): { readonly host: string; readonly port: number } {
  const udp = (value ?? '').split(' ').find((part) => part.startsWith('udp:')) ?? value ?? '';
  const match = /^(?:udp:)?([^:\s]+):(\d+)$/.exec(udp.trim());
  return match ? { host: match[1]!, port: Number(match[2]) } : { host: '127.0.0.1', port: 2000 };
}

/** The open span of the current async context, so that a span opened inside another becomes its child. */
const openSpan = new AsyncLocalStorage<{ readonly traceId: string; readonly id: string }>();
let socket: Socket | undefined;

function send(segment: Record<string, unknown>, env: NodeJS.ProcessEnv): void {
  const { host, port } = daemonAddress(env.AWS_XRAY_DAEMON_ADDRESS);
  // node:dgram loads with the first span, not at init.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- see above
  socket ??= (require('node:dgram') as typeof import('node:dgram')).createSocket('udp4').unref();
  // Fire and forget, as the X-Ray SDK does: a lost datagram loses a span, never a request.
  socket.send(`{"format":"json","version":1}\n${JSON.stringify(segment)}`, port, host, () => undefined);
}

/**
 * Runs `fn` as an X-Ray subsegment `name` of this invocation's trace (the `_X_AMZN_TRACE_ID` Lambda sets per
 * invocation), sent to the daemon when `fn` settles, with `fault` and the error's type and message when it throws.
 * Spans nest by async context. Unsampled or untraced invocations (and init, where Lambda sets no header) send nothing.
 *
 * @example
 * // given: declare const forward: () => Promise<number>;
 * const status = await xraySpan('### upstream', () => forward());
 */
export async function xraySpan<T>(name: string, fn: () => Promise<T>, env: NodeJS.ProcessEnv = process.env): Promise<T> {
  const header = parseTraceHeader(env._X_AMZN_TRACE_ID);
  if (header === undefined || !header.sampled) return fn();
  const outer = openSpan.getStore();
  const parentId = outer?.traceId === header.traceId ? outer.id : header.parentId;
  const span = { traceId: header.traceId, id: randomBytes(8).toString('hex') };
  const startTime = Date.now() / 1000;
  let failed = false;
  let failure: unknown;
  try {
    return await openSpan.run(span, fn);
  } catch (err) {
    failed = true;
    failure = err;
    throw err;
  } finally {
    send(
      {
        id: span.id,
        name,
        start_time: startTime,
        end_time: Date.now() / 1000,
        type: 'subsegment',
        trace_id: span.traceId,
        parent_id: parentId,
        ...(!failed
          ? {}
          : {
              fault: true,
              cause: {
                exceptions: [
                  {
                    id: randomBytes(8).toString('hex'),
                    type: failure instanceof Error ? failure.name : typeof failure,
                    message: failure instanceof Error ? failure.message : 'a non-Error value was thrown',
                  },
                ],
              },
            }),
      },
      env,
    );
  }
}
