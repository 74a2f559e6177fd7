/**
 * A worker's client process (see ClientHosts): builds the run's clients from the factory
 * module it is told about, and runs operations on them as the runner asks. Everything a
 * client does — sockets, sessions, heartbeats, timers — lives here, so SIGSTOP freezes it.
 */
import { pathToFileURL } from 'node:url';
import type { Client, OpenClient } from './client.js';
import { type HostReply, type HostRequest, LIBRARY_ERROR } from './client-host-protocol.js';
import { classifyError, errorText } from './outcome.js';

const clients = new Map<string, Client>();
const aborts = new Map<number, AbortController>();
let openClient: OpenClient | undefined;

const keyOf = (process: number, node: string): string => `${process}@${node}`;

function reply(message: HostReply): void {
  if (process.connected) process.send?.(message);
}

async function init(factory: { module: string; payload: unknown }): Promise<void> {
  const url = factory.module.startsWith('file:') ? factory.module : pathToFileURL(factory.module).href;
  const mod = (await import(url)) as { createOpenClient?: (payload: unknown) => OpenClient | Promise<OpenClient> };
  if (typeof mod.createOpenClient !== 'function') throw new Error(`${factory.module} exports no createOpenClient`);
  openClient = await mod.createOpenClient(factory.payload);
}

async function handle(m: HostRequest): Promise<void> {
  switch (m.t) {
    case 'init':
      return init(m.factory).then(
        () => reply({ t: 'ready', id: 0 }),
        (err: unknown) => reply({ t: 'failed', id: 0, error: errorText(err) }),
      );
    case 'open': {
      const controller = new AbortController();
      aborts.set(m.id, controller);
      try {
        if (openClient === undefined) throw new Error('not initialised');
        clients.set(keyOf(m.process, m.node), await openClient(m.node, m.process, controller.signal));
        reply({ t: 'opened', id: m.id });
      } catch (err) {
        reply({ t: 'failed', id: m.id, error: errorText(err) });
      } finally {
        aborts.delete(m.id);
      }
      return;
    }
    case 'invoke': {
      const client = clients.get(keyOf(m.process, m.node));
      if (client === undefined) return reply({ t: 'failed', id: m.id, error: 'no client open' });
      const controller = new AbortController();
      aborts.set(m.id, controller);
      try {
        reply({ t: 'done', id: m.id, outcome: await client.invoke(m.op, controller.signal) });
      } catch (err) {
        reply({ t: 'done', id: m.id, outcome: classifyError(err, client.classifiers) });
      } finally {
        aborts.delete(m.id);
      }
      return;
    }
    case 'close': {
      const key = keyOf(m.process, m.node);
      const client = clients.get(key);
      clients.delete(key);
      await client?.close().catch(() => undefined);
      return reply({ t: 'closed', id: m.id });
    }
    case 'abort':
      aborts.get(m.id)?.abort(new DOMException('the runner gave up on this operation', 'TimeoutError'));
      return;
    case 'exit':
      await Promise.allSettled([...clients.values()].map((c) => c.close()));
      process.exit(0);
  }
}

process.on('message', (m: HostRequest) => void handle(m));
// A client library that throws from its own event handlers ends this process, not the run:
// the operations in flight end as unknown, and the runner starts a fresh process for the worker.
process.on('uncaughtException', (err) => {
  for (const id of aborts.keys()) reply({ t: 'failed', id, error: `${LIBRARY_ERROR}${errorText(err)}` });
  process.exit(70);
});
// The runner is gone (a crash, a SIGKILL): nothing here is worth keeping.
process.on('disconnect', () => process.exit(0));
