// A UDP socket standing in for the X-Ray daemon, for tests that run in their own process (node --test) and set the
// Lambda variables before src/observability.ts loads.
import { createSocket } from 'node:dgram';

export interface XrayDaemon {
  /** The names of the segments received so far, in arrival order. */
  readonly names: string[];
  /** Resolves once `count` segments arrived, or after a 5 s deadline (loopback UDP takes microseconds; the deadline guards a busy CI machine). */
  received(count: number): Promise<void>;
  close(): void;
}

/** Binds the daemon on loopback and points this process's Lambda tracing at it, inside a sampled trace. */
export async function startXrayDaemon(): Promise<XrayDaemon> {
  const names: string[] = [];
  const daemon = createSocket('udp4');
  daemon.on('message', (msg) => {
    names.push(String((JSON.parse(msg.toString('utf8').split('\n')[1]!) as { name: unknown }).name));
  });
  await new Promise<void>((resolve) => daemon.bind(0, '127.0.0.1', resolve));
  const { port } = daemon.address();
  Object.assign(process.env, {
    AWS_LAMBDA_FUNCTION_NAME: 'meshgate-test',
    AWS_XRAY_DAEMON_ADDRESS: `udp:127.0.0.1:${port} tcp:127.0.0.1:${port}`,
    _X_AMZN_TRACE_ID: 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
  });
  return {
    names,
    async received(count) {
      const deadline = Date.now() + 5000;
      while (names.length < count && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    },
    close: () => daemon.close(),
  };
}
