import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
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
function get(path: string, method = 'GET'): Promise<{ status: number; type: string; body: string }> {
  return new Promise((done, fail) => {
    const req = request({ host: '127.0.0.1', port, path, method }, (res) => {
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
