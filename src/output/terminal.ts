import type { Verdict } from '../checker/verdict.js';

/**
 * Colour only on a terminal, and never when NO_COLOR is set to anything non-empty
 * (https://no-color.org) or FORCE_COLOR=0.
 */
export function useColor(stream: { isTTY?: boolean } = process.stderr, env: NodeJS.ProcessEnv = process.env): boolean {
  if ((env['NO_COLOR'] ?? '') !== '' || env['FORCE_COLOR'] === '0') return false;
  return stream.isTTY === true;
}

const CODES: Record<Verdict | 'dim', [number, number]> = { valid: [32, 39], invalid: [31, 39], unknown: [33, 39], dim: [2, 22] };

export function paint(color: boolean, style: Verdict | 'dim', text: string): string {
  const [on, off] = CODES[style];
  return color ? `\u001b[${on}m${text}\u001b[${off}m` : text;
}

/** A plain-text table: columns padded to their widest cell (cells are measured before painting). */
export function table(header: readonly string[], rows: readonly (readonly string[])[], paintCell: (row: number, col: number, text: string) => string = (_r, _c, t) => t): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: readonly string[], row: number): string =>
    cells.map((cell, c) => (row < 0 ? cell : paintCell(row, c, cell)) + ' '.repeat((widths[c] ?? 0) - cell.length)).join('  ').trimEnd();
  return [line(header, -1), ...rows.map((r, i) => line(r, i))].join('\n');
}
