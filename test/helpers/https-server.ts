// A local HTTPS server on 127.0.0.1 and a random port, with routes as plain data: stands in for
// https://mta-sts.<domain>/.well-known/mta-sts.txt and BIMI asset hosts in tests.
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';

export interface Route {
  status?: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export interface TestHttpsServer {
  port: number;
  /** "host/path" or "/path" → response (the host-specific route wins); change between requests as needed. */
  routes: Map<string, Route>;
  /** Host header and path of every request. */
  requests: { host: string | undefined; path: string; servername: string | undefined }[];
  close(): Promise<void>;
}

export async function startHttpsServer(
  tls: { cert: string; key: string },
  routes: Record<string, Route> = {},
): Promise<TestHttpsServer> {
  const table = new Map(Object.entries(routes));
  const requests: TestHttpsServer['requests'] = [];
  const server: Server = createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    requests.push({
      host: req.headers.host,
      path,
      servername: (req.socket as unknown as { servername?: string }).servername,
    });
    const host = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
    const r = table.get(`${host}${path}`) ?? table.get(path);
    if (!r) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    res.writeHead(r.status ?? 200, { 'content-type': 'text/plain', ...r.headers }).end(r.body ?? '');
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
  return {
    port: (server.address() as AddressInfo).port,
    routes: table,
    requests,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
