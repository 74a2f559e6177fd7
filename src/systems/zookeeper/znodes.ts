/** node-zookeeper-client's callback calls as promises, with "no such node" as `undefined`. */
import zookeeper from 'node-zookeeper-client';
import type { Client, Stat } from 'node-zookeeper-client';

const { Exception } = zookeeper;

export function hasCode(err: unknown, code: number): boolean {
  return err instanceof Exception && err.getCode() === code;
}

export function getData(client: Client, path: string): Promise<{ data: Buffer; version: number } | undefined> {
  return new Promise((resolve, reject) => {
    client.getData(path, (err, data, stat: Stat) => {
      if (err === null) resolve({ data: data ?? Buffer.alloc(0), version: stat.version });
      else if (hasCode(err, Exception.NO_NODE)) resolve(undefined);
      else reject(err);
    });
  });
}

export function setData(client: Client, path: string, data: Buffer, version: number): Promise<void> {
  return new Promise((resolve, reject) => {
    client.setData(path, data, version, (err) => (err === null ? resolve() : reject(err)));
  });
}

export function create(client: Client, path: string, data: Buffer, mode: number): Promise<string> {
  return new Promise((resolve, reject) => {
    client.create(path, data, mode, (err, created) => (err === null ? resolve(created) : reject(err)));
  });
}

/** Creates `path` and its parents; an existing path is fine. */
export function mkdirp(client: Client, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    client.mkdirp(path, (err) => (err === null ? resolve() : reject(err)));
  });
}

/** Removes `path`; resolves `false` when it did not exist. */
export function remove(client: Client, path: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    client.remove(path, -1, (err) => {
      if (err === null) resolve(true);
      else if (hasCode(err, Exception.NO_NODE)) resolve(false);
      else reject(err);
    });
  });
}

export function getChildren(client: Client, path: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    client.getChildren(path, (err, children) => (err === null ? resolve(children) : reject(err)));
  });
}

/**
 * Sets a watch on `path`: resolves `{ changed }` (settling at its next change) when it
 * exists, `undefined` when it does not. (Wrapped: a promise resolved with a promise would wait for it.)
 */
export function watchExisting(client: Client, path: string): Promise<{ changed: Promise<void> } | undefined> {
  return new Promise((resolve, reject) => {
    let fired: () => void = () => undefined;
    const changed = new Promise<void>((r) => (fired = r));
    client.exists(
      path,
      () => fired(),
      (err, stat) => {
        if (err !== null) reject(err);
        else resolve(stat ? { changed } : undefined);
      },
    );
  });
}
