import { NODE_DIRS } from '../common-packages.js';
import type { NodeSoftware } from '../node.js';

/** Debian package names (what apt accepts; nothing a shell would read as more than a word). */
const PACKAGE = /^[a-z0-9][a-z0-9+.-]*$/;

/**
 * Installs what is missing of `packages` (one apt-get update, one install), after the
 * software's `prepare`. While it runs, a policy-rc.d refuses to start services: Debian starts
 * a packaged daemon on install (a redis-server on 6379 would take the port faultline's own
 * needs), and faultline starts the database itself. Prints `installed: …` or `present`.
 */
export function installScript(software: NodeSoftware, packages: readonly string[]): string {
  for (const p of packages) if (!PACKAGE.test(p)) throw new Error(`not a Debian package name: ${JSON.stringify(p)}`);
  return [
    'set -e',
    'command -v apt-get >/dev/null || { echo "no apt-get: faultline installs Debian packages" >&2; exit 3; }',
    'missing=""',
    `for p in ${packages.join(' ')}; do`,
    `  dpkg-query -W -f='\${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"`,
    'done',
    'if [ -n "$missing" ]; then',
    '  export DEBIAN_FRONTEND=noninteractive',
    '  own_policy=0',
    '  if [ ! -e /usr/sbin/policy-rc.d ]; then printf \'#!/bin/sh\\nexit 101\\n\' > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && own_policy=1; fi',
    '  trap \'[ "$own_policy" = 1 ] && rm -f /usr/sbin/policy-rc.d\' EXIT',
    ...(software.prepare === undefined ? [] : [`  ${software.prepare}`]),
    '  apt-get update -q >&2',
    '  apt-get install -y -q --no-install-recommends $missing >&2',
    '  echo "installed:$missing"',
    'else',
    '  echo present',
    'fi',
    `mkdir -p ${NODE_DIRS.join(' ')}`,
  ].join('\n');
}

/**
 * Leaves a host as faultline found it, whatever a run (or a run killed half-way) left:
 * every daemon started through a pid file in /run/faultline killed (continued first, in case
 * it was paused), every iptables chain whose name starts with FAULTLINE unhooked and removed,
 * and the config, data, logs and pid files of the systems removed. Idempotent.
 */
export function resetScript(): string {
  const pids = 'for f in /run/faultline/*.pid; do [ -s "$f" ] && echo "$(cat "$f")"; done';
  return [
    `for p in $(${pids}); do kill -CONT "$p" 2>/dev/null; kill -KILL "$p" 2>/dev/null; done`,
    // Gone, not merely signalled: the next run must find the ports free.
    'i=0; while [ $i -lt 50 ]; do alive=0; for p in $(' + pids + '); do kill -0 "$p" 2>/dev/null && alive=1; done; [ $alive = 0 ] && break; i=$((i+1)); sleep 0.1; done',
    // What is still there is a failure: said on stdout for the provider to report.
    'for p in $(' + pids + '); do kill -0 "$p" 2>/dev/null && echo "process $p still alive"; done',
    'if command -v iptables >/dev/null; then',
    `  iptables -w -S | awk '$1 == "-A" && / -j FAULTLINE/ { $1 = "-D"; print }' | while read -r rule; do iptables -w $rule; done`,
    `  iptables -w -S | awk '$1 == "-N" && $2 ~ /^FAULTLINE/ { print $2 }' | while read -r chain; do iptables -w -F "$chain"; iptables -w -X "$chain"; done`,
    'fi',
    `rm -rf ${NODE_DIRS.map((d) => `${d}/*`).join(' ')}`,
    `mkdir -p ${NODE_DIRS.join(' ')}`,
    `iptables -w -S 2>/dev/null | grep -q FAULTLINE && echo 'iptables: FAULTLINE chains remain'`,
    'true',
  ].join('\n');
}

/** Who we are on the host: uid, whether passwordless sudo works, and the kernel's boot id. */
export const PROBE_SCRIPT = 'id -u; cat /proc/sys/kernel/random/boot_id; if sudo -n true 2>/dev/null; then echo sudo; else echo no-sudo; fi';

export interface HostFacts {
  readonly uid: number;
  readonly bootId: string;
  readonly sudo: boolean;
}

export function parseProbe(stdout: string): HostFacts | undefined {
  const [uid, bootId, sudo] = stdout.trim().split('\n').map((l) => l.trim());
  if (uid === undefined || !/^\d+$/.test(uid) || bootId === undefined || bootId === '' || sudo === undefined) return undefined;
  return { uid: Number(uid), bootId, sudo: sudo === 'sudo' };
}
