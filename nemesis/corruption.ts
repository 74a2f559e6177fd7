import type { Json } from '../src/history/event.js';
import type { Rng } from '../src/generator/random.js';

/** How a file is damaged: bits flipped inside its data, or its end cut off. */
export const CORRUPT_MODES = ['bitflip', 'truncate'] as const;
export type CorruptMode = (typeof CORRUPT_MODES)[number];

/**
 * The change to make to one file, chosen before its bytes are read: which bit of which byte
 * to flip, or the length to cut it to. `size` and `dataEnd` are the file's as measured.
 */
export type CorruptionPlan =
  | { readonly mode: 'bitflip'; readonly size: number; readonly dataEnd: number; readonly flips: readonly { readonly offset: number; readonly bit: number }[] }
  | { readonly mode: 'truncate'; readonly size: number; readonly dataEnd: number; readonly toSize: number };

/**
 * Where a file's data ends: its length without the trailing zero bytes. etcd's WAL segments
 * and ZooKeeper's transaction logs are preallocated with zeros (64 MB); damage there would
 * hit nothing the database reads, so every change is made inside the data.
 */
export function dataEnd(bytes: Uint8Array): number {
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0) end--;
  return end;
}

/**
 * The change, drawn from `rng`: `flips` distinct bytes in [0, dataEnd) with one random bit
 * each (fewer when the data is shorter), or a cut at a random length in [0, dataEnd) — so a
 * cut always removes data. A file without data cannot be damaged: the reason says so.
 */
export function planCorruption(size: number, end: number, mode: CorruptMode, flips: number, rng: Pick<Rng, 'int'>): CorruptionPlan | { readonly reason: string } {
  if (end <= 0) return { reason: size === 0 ? 'the file is empty' : `the file holds only zero bytes (${size})` };
  if (mode === 'truncate') return { mode, size, dataEnd: end, toSize: rng.int(0, end - 1) };
  const offsets = new Set<number>();
  const want = Math.min(Math.max(1, flips), end);
  while (offsets.size < want) offsets.add(rng.int(0, end - 1));
  return { mode, size, dataEnd: end, flips: [...offsets].sort((a, b) => a - b).map((offset) => ({ offset, bit: rng.int(0, 7) })) };
}

/** The file's bytes after the change: what the node's file must hold afterwards (the reference the node script is tested against). */
export function applyCorruption(bytes: Uint8Array, c: CorruptionPlan): Uint8Array {
  if (c.mode === 'truncate') return bytes.slice(0, c.toSize);
  const out = bytes.slice();
  for (const f of c.flips) out[f.offset] = (out[f.offset] ?? 0) ^ (1 << f.bit);
  return out;
}

const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * Prints "SIZE DATA_END" of a file. perl (Debian's perl-base is in every image) reads it
 * backwards in 64 KiB blocks, so a 64 MB preallocated WAL costs a few reads, not a scan.
 */
export function dataEndScript(path: string): string {
  const perl =
    'open(F, "<", $ARGV[0]) or die "$ARGV[0]: $!\\n"; binmode F; my $s = -s F; my $e = $s; ' +
    'while ($e > 0) { my $n = $e >= 65536 ? 65536 : $e; seek(F, $e - $n, 0); read(F, my $b, $n) == $n or die "short read\\n"; ' +
    'if ($b =~ /.*[^\\0]/s) { $e = $e - $n + $+[0]; last } $e -= $n } print "$s $e\\n";';
  return `perl -e ${quote(perl)} ${quote(path)}`;
}

/**
 * A shell script making the change on the node, through the database's own path and then
 * an fsync (so a disk layer below keeps it as durable), and printing what it found and left:
 * for each flip "BEFORE AFTER" (decimal bytes, AFTER read back), for a cut "HEAD SHA256 SIZE"
 * (the first 16 removed bytes in hex, the SHA-256 of everything removed, the size read back).
 */
export function corruptionScript(path: string, c: CorruptionPlan): string {
  const f = quote(path);
  const sync = `dd if=/dev/null of=${f} conv=notrunc,fsync status=none`;
  const byteAt = (off: string): string => `$(dd if=${f} bs=1 skip=${off} count=1 status=none | od -An -tu1 | tr -d ' ')`;
  if (c.mode === 'truncate') {
    const tail = `tail -c +${c.toSize + 1} ${f}`;
    return [
      'set -e',
      `head=$(${tail} | head -c 16 | od -An -v -tx1 | tr -d ' \\n')`,
      `sum=$(${tail} | sha256sum | cut -d' ' -f1)`,
      `truncate -s ${c.toSize} ${f}`,
      sync,
      `echo "\${head:--} $sum $(stat -c %s ${f})"`,
    ].join('\n');
  }
  const lines = ['set -e'];
  for (const { offset, bit } of c.flips) {
    lines.push(`b=${byteAt(String(offset))}`, `a=$(( b ^ ${1 << bit} ))`, `printf "\\\\$(printf %o "$a")" | dd of=${f} bs=1 seek=${offset} count=1 conv=notrunc status=none`);
    lines.push(`echo "$b ${byteAt(String(offset))}"`);
  }
  lines.push(sync);
  return lines.join('\n');
}

/** What the node reported, checked against the plan: the record of the change, or why it is not confirmed. */
export function corruptionRecord(c: CorruptionPlan, output: string): { readonly applied: boolean; readonly record: { [k: string]: Json } } {
  const rows = output.trim().split('\n').map((l) => l.trim().split(/\s+/));
  const base = { mode: c.mode, size: c.size, dataEnd: c.dataEnd };
  const hex = (n: number): string => n.toString(16).padStart(2, '0');
  if (c.mode === 'truncate') {
    const [head, sha256, after] = rows[0] ?? [];
    const applied = rows.length === 1 && Number(after) === c.toSize && /^[0-9a-f]{64}$/.test(sha256 ?? '');
    return {
      applied,
      record: { ...base, toSize: c.toSize, removedBytes: c.size - c.toSize, removedDataBytes: c.dataEnd - c.toSize, removedHead: head === '-' ? '' : (head ?? ''), removedSha256: sha256 ?? '', sizeAfter: Number(after) },
    };
  }
  let applied = rows.length === c.flips.length;
  const flips = c.flips.map((f, i) => {
    const [before, after] = (rows[i] ?? []).map(Number);
    const ok = before !== undefined && after !== undefined && Number.isInteger(before) && after === (before ^ (1 << f.bit));
    if (!ok) applied = false;
    return { offset: f.offset, bit: f.bit, before: before === undefined || Number.isNaN(before) ? '' : hex(before), after: after === undefined || Number.isNaN(after) ? '' : hex(after) };
  });
  return { applied, record: { ...base, flips } };
}
