import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { allowedHost } from '../../../src/server/host-check.js';
import { type StoreServer, serveStore } from '../../../src/server/store-server.js';
import { HOSTILE, writeInvalidRun } from './invalid-run.js';

let work: string;
let server: StoreServer;
let port: number;

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'faultline-serve-'));
  const store = join(work, 'store');
  await writeInvalidRun(join(store, 'sim-register', '20261122T060000.000Z'));
  await writeInvalidRun(join(store, 'sim-register', '20261122T070000.000Z'), { results: false });
  await symlink('20261122T070000.000Z', join(store, 'sim-register', 'latest'));
  await writeFile(join(work, 'secret.txt'), 'SECRET\n');
  await mkdir(join(store, 'sim-register', '20261122T060000.000Z', 'nodes', 'n1'), { recursive: true });
  await writeFile(join(store, 'sim-register', '20261122T060000.000Z', 'nodes', 'n1', 'server.log'), `<b>${HOSTILE}</b>\n`);
  await symlink(join(work, 'secret.txt'), join(store, 'sim-register', '20261122T060000.000Z', 'nodes', 'n1', 'escape.log'));
  server = await serveStore(store, 0);
  port = Number(new URL(server.url).port);
});
after(async () => {
  await server?.close();
  await rm(work, { recursive: true, force: true });
});

/** A raw request: the path goes out exactly as written (fetch would normalise `..`). */
function get(path: string, method = 'GET', host?: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((done, fail) => {
    const req = request({ host: '127.0.0.1', port, path, method, ...(host === undefined ? {} : { headers: { Host: host } }) }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => done({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }));
    });
    req.on('error', fail);
    req.end();
  });
}

test('it listens on 127.0.0.1 only', () => {
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
});

test('the index lists every run, newest first, with verdict and links; values escaped', async () => {
  const r = await get('/');
  assert.equal(r.status, 200);
  assert.match(r.type, /^text\/html/);
  const rows = r.body.split('<tr class=').slice(1);
  assert.equal(rows.length, 2, 'two runs; the latest link is not a third');
  assert.match(rows[0]!, /^"unknown"/);
  assert.match(rows[0]!, /unknown \(incomplete\)/);
  assert.match(rows[0]!, /2026-11-22T06:00:00.000Z|20261122T070000/);
  assert.match(rows[1]!, /^"invalid"/);
  assert.match(rows[1]!, /href="\/runs\/sim-register\/20261122T060000\.000Z\/report\.html"/);
  assert.equal(r.body.includes('<img'), false);
  assert.ok(r.body.includes('&#60;/script&#62;&#60;img'));
});

test("a run's report is rendered from its files; its files are served as text", async () => {
  const report = await get('/runs/sim-register/20261122T060000.000Z/report.html');
  assert.equal(report.status, 200);
  assert.match(report.type, /^text\/html/);
  assert.ok(report.body.includes('id="faultline-data"'));
  const latest = await get('/runs/sim-register/latest/report.html');
  assert.equal(latest.status, 200);
  const log = await get('/runs/sim-register/20261122T060000.000Z/nodes/n1/server.log');
  assert.equal(log.status, 200);
  assert.match(log.type, /^text\/plain/, 'a log holding markup is still text');
  const listing = await get('/runs/sim-register/20261122T060000.000Z/');
  assert.match(listing.body, /href="report\.html"/);
  assert.match(listing.body, /href="history\.jsonl"/);
  assert.equal((await get('/runs/sim-register/20261122T060000.000Z')).status, 301);
});

test('no way out of the store', async () => {
  for (const path of [
    '/runs/../../secret.txt',
    '/runs/sim-register/../../secret.txt',
    '/runs/%2e%2e/%2e%2e/secret.txt',
    '/runs/sim-register/..%2F..%2Fsecret.txt',
    '/runs/sim-register/20261122T060000.000Z/nodes/n1/escape.log',
    '/runs/%2Fetc/passwd',
    '/runs/sim-register/.%2e/.%2e/secret.txt',
    '/etc/passwd',
    '/runs/sim-register/20261122T060000.000Z/nodes/n1/%00',
  ]) {
    const r = await get(path);
    assert.equal(r.status, 404, path);
    assert.equal(r.body.includes('SECRET'), false, path);
  }
  assert.equal((await get('/', 'POST')).status, 405);
  assert.equal((await get(`/runs/${'a'.repeat(3000)}`)).status, 414);
});

test('DNS rebinding: a Host that does not name this machine is refused', async () => {
  for (const host of ['evil.example', `evil.example:${port}`, `127.0.0.1.evil.example:${port}`, `localhost.evil.example:${port}`, `evil.localhost:${port}`, '0.0.0.0', '10.0.0.1', '[::ffff:7f00:1]', 'localhost:port']) {
    const r = await get('/', 'GET', host);
    assert.equal(r.status, 403, host);
    assert.equal(r.body.includes('<tr'), false, host);
  }
  for (const host of [`localhost:${port}`, 'localhost', 'LOCALHOST.', `127.0.0.1:${port}`, `[::1]:${port}`]) {
    assert.equal((await get('/', 'GET', host)).status, 200, host);
  }
});

test('a request with no Host header (HTTP/1.0), or an empty one, is refused', async () => {
  assert.match((await rawExchange(port, 'GET / HTTP/1.0\r\n\r\n')).text, /^HTTP\/1\.[01] 403 /);
  assert.match((await rawExchange(port, 'GET / HTTP/1.1\r\nHost: \r\nConnection: close\r\n\r\n')).text, /^HTTP\/1\.1 (403|400) /);
});

test('the Host check: localhost names, loopback literals and the bound address only', () => {
  const yes = ['localhost', 'localhost:80', 'LocalHost.', '127.0.0.1', '127.1.2.3:9', '[::1]', '[::1]:7357', '10.1.2.3'];
  const no = [undefined, '', 'evil.example', 'localhost.evil.example', 'evil.localhost', '127.0.0.1.nip.io', '127.0.0.256', '[::2]', 'localhost:', 'localhost:123456', 'a b', 'localhost:80:80'];
  for (const h of yes) assert.equal(allowedHost(h, '10.1.2.3'), true, String(h));
  for (const h of no) assert.equal(allowedHost(h, '10.1.2.3'), false, String(h));
});

test('slow headers are cut off at the limit, not at the next 30 s sweep', async () => {
  const slow = await serveStore(join(work, 'store'), 0, { headersTimeoutMs: 500 });
  try {
    // Headers trickle in, one line every 100 ms, never ending: a slowloris.
    const answer = await rawExchange(Number(new URL(slow.url).port), 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n', 'X-Slow: 1\r\n', 100, 10_000);
    assert.equal(answer.closed, true, 'the server never closed the connection');
    assert.ok(answer.ms >= 450 && answer.ms < 2_500, `cut off after ${answer.ms} ms, the limit is 500 ms`);
  } finally {
    await slow.close();
  }
});

/** Writes `head` on a raw socket (then `drip` every `everyMs`), until the server closes it or `giveUpMs` pass. */
function rawExchange(p: number, head: string, drip?: string, everyMs = 100, giveUpMs = 5_000): Promise<{ text: string; closed: boolean; ms: number }> {
  return new Promise((done) => {
    const t0 = Date.now();
    const socket = connect(p, '127.0.0.1');
    let text = '';
    const timer = drip === undefined ? undefined : setInterval(() => socket.write(drip), everyMs);
    const finish = (closed: boolean): void => {
      clearInterval(timer);
      clearTimeout(giveUp);
      socket.destroy();
      done({ text, closed, ms: Date.now() - t0 });
    };
    const giveUp = setTimeout(() => finish(false), giveUpMs);
    socket.on('data', (d: Buffer) => (text += d.toString('utf8')));
    socket.on('close', () => finish(true));
    socket.on('error', () => undefined);
    socket.write(head);
  });
}
