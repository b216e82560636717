// The CORS rule of a local bucket. A portal's bucket answers the browser's preflight and marks
// its answers for the portal's origin because its operator set a CORS rule on it (the host
// backend's README, "Files in a bucket"); s3s-fs, the local S3 server of the demo and the
// tests, has no CORS support. This front stands in for that rule only: every request goes on
// to the S3 server unchanged, its Host header included, so the server checks the signature
// of exactly what the browser sent.
//
//   node xtask/bucket-cors.mjs --listen 127.0.0.1:8792 --target http://127.0.0.1:9000 --origin http://127.0.0.1:8080
//
// `startBucketCors` is the same for a test that runs it in its own process.
import http from 'node:http';
import { fileURLToPath } from 'node:url';

/** What the rule allows: the panel's PUT of the bytes, and a GET or HEAD of a file URL. */
const METHODS = 'GET, HEAD, PUT';

/**
 * Listens on `host:port` (0: a free port) and forwards to `target`, allowing `origin`.
 * `fault(request)`, when given, may answer a request itself (a test's failing bucket):
 * it returns a status to answer with, or nothing to forward.
 */
export function startBucketCors({ target, origin, host = '127.0.0.1', port = 0, fault = undefined }) {
  const to = new URL(target);
  const cors = (request) =>
    request.headers.origin === origin
      ? { 'access-control-allow-origin': origin, 'access-control-expose-headers': 'ETag', vary: 'Origin' }
      : { vary: 'Origin' };
  const server = http.createServer((request, response) => {
    if (request.method === 'OPTIONS') {
      const allowed = request.headers.origin === origin;
      response.writeHead(allowed ? 204 : 403, {
        ...cors(request),
        ...(allowed && {
          'access-control-allow-methods': METHODS,
          'access-control-allow-headers': 'content-type',
          'access-control-max-age': '600',
        }),
      });
      response.end();
      return;
    }
    const status = fault?.(request);
    if (status) {
      request.resume();
      response.writeHead(status, { ...cors(request), 'content-type': 'application/xml' });
      response.end('<Error><Code>ServiceUnavailable</Code></Error>');
      return;
    }
    const upstream = http.request(
      { host: to.hostname, port: to.port, method: request.method, path: request.url, headers: request.headers },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, { ...answer.headers, ...cors(request) });
        answer.pipe(response);
      },
    );
    upstream.on('error', () => {
      if (!response.headersSent) response.writeHead(502, cors(request));
      response.end();
    });
    request.pipe(upstream);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const { port: bound } = server.address();
      resolve({
        url: `http://${host}:${bound}`,
        close: () =>
          new Promise((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
        server,
      });
    });
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const flag = (name) => {
    const at = process.argv.indexOf(`--${name}`);
    const value = at > 0 ? process.argv[at + 1] : undefined;
    if (!value) {
      console.error('usage: node xtask/bucket-cors.mjs --listen HOST:PORT --target URL --origin ORIGIN');
      process.exit(2);
    }
    return value;
  };
  const [host, port] = flag('listen').split(':');
  const front = await startBucketCors({ target: flag('target'), origin: flag('origin'), host, port: Number(port) });
  console.log(`bucket CORS front listening on ${front.url}`);
}
