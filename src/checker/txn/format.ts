import { showMops } from './transactions.js';
import type { MicroOp } from './transactions.js';
import type { TxnCheckResult } from './types.js';

const VERDICT_WORDS = { valid: 'VALID', invalid: 'INVALID', unknown: 'UNKNOWN' } as const;

/** A result in plain words for a terminal: the verdict, what was checked, and each anomaly kept. */
export function formatTxnResult(result: TxnCheckResult): string {
  const s = result.stats;
  const lines = [
    `${result.workload} history, checked for ${result.consistency}: ${VERDICT_WORDS[result.verdict]}`,
    `  ${s.transactions} transactions (${s.committed} committed, ${s.failed} failed, ${s.indeterminate} indeterminate${s.inferredCommitted > 0 ? `, ${s.inferredCommitted} of them seen committed` : ''}) over ${s.keys} key${s.keys === 1 ? '' : 's'}, ` +
      `checked in ${Math.round(s.elapsedMs)} ms`,
    `  dependency edges: ${Object.entries(s.edges)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')}`,
  ];
  if (result.workload === 'rw-register') lines.push(`  version order from: ${result.versionOrder.join(', ')}`);
  if (s.polygraph !== undefined) {
    const p = s.polygraph;
    lines.push(`  polygraph search: ${p.openPairs} open write pair${p.openPairs === 1 ? '' : 's'}, ${p.searchedPairs} in cyclic components, ${p.branches} branches, ${Math.round(p.elapsedMs)} ms`);
  }
  if (result.reason !== undefined) lines.push(`  unknown because ${result.reason}`);
  if (result.anomalyTypes.length === 0) {
    lines.push('  no anomalies found');
    return lines.join('\n');
  }
  lines.push(`  anomalies: ${result.anomalyTypes.map((t) => `${t} ×${result.anomalyCounts[t]}`).join(', ')}`);
  lines.push(`  rules out: ${result.notModels.length > 0 ? result.notModels.join(', ') : 'none of the models checked'}`);
  for (const type of result.anomalyTypes) {
    const kept = result.anomalies.filter((a) => a.type === type);
    const total = result.anomalyCounts[type] ?? kept.length;
    lines.push('', `${type}${total > kept.length ? ` (${total} found, ${kept.length} shown)` : ''}:`);
    for (const a of kept) {
      for (const t of a.txns) {
        lines.push(`  ${t.name} (process ${t.process}, ${t.type}, invoked at event ${t.invokeIndex}): ${showMops(t.value as unknown as MicroOp[])}`);
      }
      for (const l of a.explanation.split('\n')) lines.push(`    ${l}`);
    }
  }
  return lines.join('\n');
}
