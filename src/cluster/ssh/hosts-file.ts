import { lookup } from 'node:dns/promises';
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { isMap, isNode, isSeq, LineCounter, type Node as YamlNode, parseDocument } from 'yaml';
import { z } from 'zod';
import { InputError } from '../../errors.js';
import { DEFAULT_IDENTITIES, looksLikeSshConfig, parseSshConfig } from './ssh-config.js';

/** One machine faultline may use as a node, as the hosts file names it. */
export interface HostEntry {
  /** The node's name in histories and messages (`n1`, `db-a`). */
  readonly name: string;
  /** The IPv4 address the other hosts and faultline reach it at (a name in the file is resolved once, here). */
  readonly address: string;
  readonly port: number;
  readonly user: string;
  /** The private key file, absolute. */
  readonly keyPath: string;
  /** The key itself, read when the file is loaded (a missing key is the file's problem, with its line). */
  readonly privateKey: Buffer;
  /** `SHA256:…` as `ssh-keygen -lf` prints it: when given, a host offering another key is refused. */
  readonly fingerprint?: string;
}

const HINT = 'a hosts file is a YAML list of {name, address, port?, user, key, fingerprint?}, or an SSH config (Host blocks); see docs/providers.md';

const NAME = /^[a-z0-9][a-z0-9-]{0,30}$/;

const HostSchema = z
  .object({
    name: z.string().regex(NAME, 'a node name is lower-case letters, digits and dashes (at most 31)'),
    address: z.string().min(1),
    port: z.number().int().min(1).max(65535).default(22),
    user: z.string().min(1).regex(/^[a-z_][a-z0-9_.-]*$/i, 'not a user name'),
    key: z.string().min(1),
    fingerprint: z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}=?$/, 'a fingerprint is SHA256:… as `ssh-keygen -lf KEY.pub` prints it').optional(),
  })
  .strict();

const HostsSchema = z.array(HostSchema).min(1, 'the list of hosts is empty');

/** Reads, validates and resolves a hosts file; every problem is an InputError naming the file and line. */
export async function loadHostsFile(file: string): Promise<HostEntry[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new InputError(file, undefined, `cannot read the hosts file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, HINT);
  }
  const parsed = looksLikeSshConfig(text) ? hostsFromSshConfig(text, file) : parseHosts(text, file);
  const hosts = await Promise.all(parsed.map((h) => resolveHost(h, file)));
  // Partitions are rules on addresses: two hosts behind one address (port forwards) cannot be cut apart.
  hosts.forEach((h, i) => {
    const first = hosts.findIndex((o) => o.address === h.address);
    if (first !== i) throw new InputError(file, parsed[i]?.line, `${h.name}: address ${h.address} is also ${hosts[first]?.name}'s`, 'partitions drop traffic by address: each host needs an address of its own');
  });
  return hosts;
}

/** An SSH config's hosts, as the YAML file's would be; a host without IdentityFile gets ssh's first default key that exists. */
function hostsFromSshConfig(text: string, file: string): ParsedHost[] {
  return parseSshConfig(text, file, { user: userInfo().username, home: homedir() }).map((h) => {
    const key = h.key ?? DEFAULT_IDENTITIES.find((k) => existsSync(expandPath(k, '/')));
    if (key === undefined) throw new InputError(file, h.line, `${h.name}: no IdentityFile, and none of ${DEFAULT_IDENTITIES.join(', ')} exists`, 'add `IdentityFile PATH` to the host (a private key; passwords are not used)');
    return { name: h.name, address: h.address, port: h.port, user: h.user, key, line: h.line };
  });
}

/** A host as the file says it, with the line it starts on (for later errors: a missing key, a name that does not resolve). */
export interface ParsedHost extends z.output<typeof HostSchema> {
  readonly line: number | undefined;
}

/** The file's text → hosts, or an InputError at the first bad field's line. Pure: no file or name lookups. */
export function parseHosts(text: string, file: string): ParsedHost[] {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const yamlError = doc.errors[0];
  if (yamlError !== undefined) {
    const line = yamlError.linePos?.[0].line ?? lines.linePos(yamlError.pos[0]).line;
    throw new InputError(file, line, `not valid YAML: ${yamlError.message.split('\n')[0] ?? yamlError.code}`, HINT);
  }
  const lineOf = (path: readonly PropertyKey[]): number | undefined => {
    const node = nodeAt(doc.contents, path);
    return node?.range === undefined || node.range === null ? undefined : lines.linePos(node.range[0]).line;
  };
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 20 });
  } catch (err) {
    throw new InputError(file, undefined, `not a usable hosts file: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`, HINT);
  }
  const r = HostsSchema.safeParse(value ?? []);
  if (!r.success) {
    const issue = r.error.issues[0];
    const path = issue?.code === 'unrecognized_keys' && issue.keys.length === 1 ? [...issue.path, issue.keys[0]!] : (issue?.path ?? []);
    const message = issue?.code === 'unrecognized_keys' ? 'unknown field' : (issue?.message ?? 'invalid');
    throw new InputError(file, lineOf(path), `${formatPath(path) || 'hosts'}: ${message}`, HINT);
  }
  const seen = new Map<string, number>();
  return r.data.map((h, i) => {
    const line = lineOf([i]);
    for (const [key, v] of [['name', h.name], ['address', `${h.address}:${h.port}`]] as const) {
      const id = `${key}=${v}`;
      if (seen.has(id)) throw new InputError(file, line, `[${i}].${key}: ${v} is already host [${seen.get(id)}]`, 'each host appears once');
      seen.set(id, i);
    }
    return { ...h, line };
  });
}

async function resolveHost(h: ParsedHost, file: string): Promise<HostEntry> {
  const keyPath = expandPath(h.key, dirname(resolve(file)));
  let privateKey: Buffer;
  try {
    privateKey = await readFile(keyPath);
  } catch (err) {
    throw new InputError(file, h.line, `${h.name}: cannot read key ${keyPath}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, HINT);
  }
  if (!/PRIVATE KEY/.test(privateKey.toString('latin1', 0, 200))) {
    throw new InputError(file, h.line, `${h.name}: ${keyPath} is not a private key (no PRIVATE KEY header)`, 'give the private half (e.g. ~/.ssh/id_ed25519), not the .pub');
  }
  let address: string;
  try {
    address = (await lookup(h.address, { family: 4 })).address;
  } catch {
    throw new InputError(file, h.line, `${h.name}: address ${h.address} does not resolve to an IPv4 address`, 'partitions are iptables rules on IPv4 addresses: give an IPv4 address or a name that resolves to one');
  }
  return { name: h.name, address, port: h.port, user: h.user, keyPath, privateKey, ...(h.fingerprint === undefined ? {} : { fingerprint: h.fingerprint }) };
}

/** `~/x` from the home directory; a relative path from the hosts file's folder. */
export function expandPath(path: string, base: string): string {
  if (path === '~' || path.startsWith('~/')) return join(homedir(), path.slice(1));
  return isAbsolute(path) ? path : join(base, path);
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('');
}

/** The YAML node at `path`, or the deepest one above it (a missing field points at its host). */
function nodeAt(root: unknown, path: readonly PropertyKey[]): YamlNode | undefined {
  let node: unknown = root;
  let found: YamlNode | undefined = isNode(root) ? root : undefined;
  for (const key of path) {
    const next: unknown = isSeq(node) || isMap(node) ? node.get(key, true) : undefined;
    if (!isNode(next)) break;
    node = next;
    found = next;
  }
  return found;
}
