import { createReadStream } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve, sep } from 'node:path';
import { InfrastructureError, UsageError } from '../errors.js';
import { renderIndexPage, renderListingPage } from '../report/index-page.js';
import { loadRun } from '../report/load.js';
import { renderReport } from '../report/render.js';
import { allowedHost } from './host-check.js';
import { SAFE_NAME, listRuns } from './runs.js';

/** Only this machine may connect: the store holds whatever the databases returned. */
export const HOST = '127.0.0.1';
const MAX_URL = 2048;
const MAX_LISTED_FILES = 2000;
/** Files the server hands out as text, whatever they hold; only reports it renders itself are HTML. */
const TEXT_TYPES: Readonly<Record<string, string>> = { '.json': 'application/json', '.jsonl': 'text/plain', '.edn': 'text/plain' };

/** A client must have sent its whole request head within this long. */
export const HEADERS_TIMEOUT_MS = 10_000;
/** …and its whole request within this long. */
export const REQUEST_TIMEOUT_MS = 120_000;

export interface ServeOptions {
  /** Default HEADERS_TIMEOUT_MS (tests shorten it). */
  readonly headersTimeoutMs?: number;
}

export interface StoreServer {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Serves a run store on 127.0.0.1: `/` lists the runs, `/runs/<test>/<run>/report.html`
 * is the report rendered from the run's files at request time, and everything else under
 * `/runs/<test>/<run>/` is the run's files as plain text. Paths are checked segment by
 * segment against the names the store uses, then resolved (symlinks included) and refused
 * unless they stay inside the store: there is no way out of it. A request whose Host header
 * does not name this machine is refused (DNS rebinding, see host-check.ts).
 */
export async function serveStore(storeDir: string, port: number, options: ServeOptions = {}): Promise<StoreServer> {
  const store = await realpath(resolve(storeDir)).catch(() => {
    throw new UsageError(`store ${storeDir} does not exist`, 'give the directory that `faultline run --store DIR` wrote to (default: store)');
  });
  let rendering: Promise<unknown> = Promise.resolve();
  // One report at a time: a 100,000-operation run takes a while, and requests must not pile up on 2 cores.
  const oneAtATime = <T>(work: () => Promise<T>): Promise<T> => {
    const next = rendering.then(work, work);
    rendering = next.catch(() => undefined);
    return next;
  };
  const headersTimeout = options.headersTimeoutMs ?? HEADERS_TIMEOUT_MS;
  // Node enforces both timeouts only when it sweeps its connections, every 30 s by default:
  // a 10 s limit then cuts a slow client off after up to 40 s. Sweep often enough that the
  // limit holds to within a tenth of itself (at most a second late).
  const connectionsCheckingInterval = Math.max(50, Math.min(1_000, Math.floor(headersTimeout / 10)));
  const server = createServer({ connectionsCheckingInterval }, (req, res) => {
    if (!allowedHost(req.headers.host, HOST)) {
      return send(res, 403, 'text/plain', `refused: Host ${JSON.stringify(req.headers.host ?? '')} is not this machine; open ${HOST} or localhost\n`);
    }
    handle(store, req, res, oneAtATime).catch((err: unknown) => send(res, 500, 'text/plain', `internal error: ${(err as Error).message}\n`));
  });
  server.headersTimeout = headersTimeout;
  server.requestTimeout = Math.max(REQUEST_TIMEOUT_MS, headersTimeout);
  server.maxHeadersCount = 50;
  await listen(server, port);
  const address = server.address() as AddressInfo;
  return {
    url: `http://${HOST}:${address.port}/`,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((done, fail) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      fail(
        err.code === 'EADDRINUSE'
          ? new UsageError(`port ${port} on ${HOST} is already in use`, 'choose another with --port N (0 picks a free one)')
          : new InfrastructureError(`cannot listen on ${HOST}:${port}: ${err.message}`),
      );
    });
    server.listen(port, HOST, () => done());
  });
}

async function handle(store: string, req: IncomingMessage, res: ServerResponse, oneAtATime: <T>(work: () => Promise<T>) => Promise<T>): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'only GET and HEAD\n', { Allow: 'GET, HEAD' });
  const raw = req.url ?? '/';
  if (raw.length > MAX_URL) return send(res, 414, 'text/plain', 'URL too long\n');
  const pathname = new URL(raw, 'http://localhost').pathname;
  if (pathname === '/') {
    const { runs, truncated } = await listRuns(store);
    return send(res, 200, 'text/html', renderIndexPage(store, runs, truncated));
  }
  const segments = safeSegments(pathname);
  if (segments === undefined || segments[0] !== 'runs' || segments.length < 2) return notFound(res);
  const rel = segments.slice(1);
  const target = await inside(store, join(store, ...rel));
  if (target === undefined) {
    if (rel.length === 3 && rel[2] === 'report.html') return report(store, rel, res, oneAtATime);
    return notFound(res);
  }
  const info = await stat(target);
  if (info.isDirectory()) {
    if (!pathname.endsWith('/')) return send(res, 301, 'text/plain', 'moved\n', { Location: `${pathname}/` });
    return listing(target, pathname, rel.length === 2, res);
  }
  if (rel.length === 3 && rel[2] === 'report.html') return report(store, rel, res, oneAtATime);
  if (!info.isFile()) return notFound(res);
  res.writeHead(200, headers(TEXT_TYPES[extname(target)] ?? 'text/plain', info.size));
  if (req.method === 'HEAD') return void res.end();
  createReadStream(target).pipe(res);
}

/** Decoded path segments, each one a name the store could have made; undefined for anything else (`..`, `%2F`, …). */
function safeSegments(pathname: string): string[] | undefined {
  const parts = pathname.split('/').filter((p) => p !== '');
  const decoded: string[] = [];
  for (const p of parts) {
    let d: string;
    try {
      d = decodeURIComponent(p);
    } catch {
      return undefined;
    }
    if (!SAFE_NAME.test(d)) return undefined;
    decoded.push(d);
  }
  return decoded;
}

/** The real path of `path` if it exists and lies inside the store (symlinks resolved), else undefined. */
async function inside(store: string, path: string): Promise<string | undefined> {
  const real = await realpath(path).catch(() => undefined);
  return real !== undefined && (real === store || real.startsWith(store + sep)) ? real : undefined;
}

async function report(store: string, rel: string[], res: ServerResponse, oneAtATime: <T>(work: () => Promise<T>) => Promise<T>): Promise<void> {
  const runDir = await inside(store, join(store, rel[0]!, rel[1]!));
  if (runDir === undefined) return notFound(res);
  const html = await oneAtATime(async () => renderReport(await loadRun(runDir)));
  send(res, 200, 'text/html', html);
}

async function listing(dir: string, urlPath: string, isRunDir: boolean, res: ServerResponse): Promise<void> {
  const entries = (await readdir(dir, { withFileTypes: true }))
    .filter((e) => SAFE_NAME.test(e.name))
    .map((e) => (e.isDirectory() ? `${e.name}/` : e.name))
    .sort();
  if (isRunDir && !entries.includes('report.html')) entries.unshift('report.html');
  const shown = entries.slice(0, MAX_LISTED_FILES);
  send(res, 200, 'text/html', renderListingPage(urlPath, shown, entries.length > shown.length));
}

function notFound(res: ServerResponse): void {
  send(res, 404, 'text/plain', 'not found\n');
}

function headers(type: string, length: number): Record<string, string | number> {
  return { 'Content-Type': `${type}; charset=utf-8`, 'Content-Length': length, 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-store' };
}

function send(res: ServerResponse, status: number, type: string, body: string, extra: Record<string, string> = {}): void {
  if (res.headersSent) return void res.end();
  res.writeHead(status, { ...headers(type, Buffer.byteLength(body)), ...extra });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
