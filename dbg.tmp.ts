import { createServer, type Server } from 'node:http';
import { writeFileSync } from 'node:fs';
import { startStack, listenOnLoopback, freePort, closeServer } from './test/e2e/support/stack';
(async () => {
  let mode = 'ok';
  const mk = () => createServer((req, res) => { if (mode === 'reset') { req.socket.destroy(); return; } if (mode === 'slow') return; res.writeHead(200).end('{}'); });
  const port = await freePort();
  let s: Server = mk();
  await listenOnLoopback(s, port);
  process.env.LOG_LEVEL = 'DEBUG';
  const st = await startStack({ upstreamUrl: `http://127.0.0.1:${port}` });
  let failed = false;
  for (let round = 0; round < 6 && !failed; round++) {
  for (const m of ['ok', 'down', 'reset', 'slow']) {
    mode = m;
    if (m === 'down') await closeServer(s);
    const t = await st.issuer.issueToken();
    const t0 = Date.now();
    const r = await fetch(st.api + '/whoami', { headers: { authorization: 'Bearer ' + t } });
    const ms = Date.now() - t0;
    console.log(round, m, r.status, ms);
    if (ms > 10000) { failed = true; break; }
    if (m === 'down') { s = mk(); await listenOnLoopback(s, port); }
  }
  }
  writeFileSync('/tmp/offline-out.txt', st.offline.output());
  await st.close(); s.closeAllConnections(); s.close();
})();
