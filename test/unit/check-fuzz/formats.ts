import type { Json } from '../../../src/history/event.js';
import { exactJsonText } from '../../../src/history/exact-json.js';
import type { SeedEvent } from './seeds.js';

/** Every text format `faultline check` reads (a run directory is built from JSON Lines). */
export const FORMATS = ['jsonl', 'edn-lines', 'edn-collection', 'elle-json', 'jepsen-log'] as const;
export type Format = (typeof FORMATS)[number];

/** A seed's events with their index and time, as a recorder writes them. */
function numbered(events: readonly SeedEvent[]): Record<string, Json>[] {
  return events.map((e, i) => ({ index: i, time: (i + 1) * 1000, process: e.process, type: e.type, f: e.f, value: e.value, ...(e.key === undefined ? {} : { key: e.key }) }));
}

/** EDN text of a JSON value: strings stay strings (so `"append"` reads back as it was), maps get keyword keys. */
export function edn(v: Json): string {
  if (v === null) return 'nil';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) return `[${v.map(edn).join(' ')}]`;
  return `{${Object.entries(v)
    .map(([k, x]) => `${/^[a-z][\w-]*$/i.test(k) ? `:${k}` : JSON.stringify(k)} ${edn(x)}`)
    .join(', ')}}`;
}

/** The fields Jepsen writes as keywords. */
const ednEvent = (e: Record<string, Json>): string =>
  `{${Object.entries(e)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `:${k} ${(k === 'type' || k === 'f' || (k === 'process' && v === 'nemesis')) && typeof v === 'string' ? `:${v}` : edn(v)}`)
    .join(', ')}}`;

export function render(events: readonly SeedEvent[], format: Format): string {
  const rows = numbered(events);
  switch (format) {
    case 'jsonl':
      return `${rows.map((e) => exactJsonText(e)).join('\n')}\n`;
    case 'edn-lines':
      return `${rows.map(ednEvent).join('\n')}\n`;
    case 'edn-collection':
      return `[${rows.map(ednEvent).join('\n ')}]\n`;
    case 'elle-json':
      // Elle's JSON has no time: its array order is real time.
      return `[${rows.map(({ time: _time, ...e }) => exactJsonText(e)).join(',\n')}]\n`;
    case 'jepsen-log':
      return `${[
        'INFO  jepsen.core - Running test',
        ...rows.map((e) => `INFO  jepsen.util - ${e['process'] === 'nemesis' ? ':nemesis' : String(e['process'])}\t:${String(e['type'])}\t:${String(e['f'])}\t${edn(e['value'] ?? null)}`),
      ].join('\n')}\n`;
  }
}
