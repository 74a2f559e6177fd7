import { InputError } from '../../errors.js';
import { parseEdnValue } from '../../history/formats/edn.js';

/**
 * A transaction order as Elle's `:transaction-order` takes it: a map from the index of a
 * transaction's completion event in the history to its position in the database's commit
 * order, written as a JSON object (`{"3": 1, "5": 2}`) or an EDN map (`{3 1, 5 2}`).
 * Positions must be distinct numbers: a tie would leave two versions unordered while
 * claiming an order.
 */
export function parseTransactionOrder(text: string, file: string): Map<number, number> {
  let value: unknown;
  try {
    value = text.trimStart().startsWith('{"') || text.trim() === '{}' ? JSON.parse(text) : parseEdnValue(text);
  } catch (e) {
    throw new InputError(file, undefined, `not a JSON object or EDN map: ${(e as Error).message.split('\n')[0]}`, 'e.g. {"3": 1, "5": 2}: completion event index → position');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InputError(file, undefined, 'a transaction order is a map from completion event index to position', 'e.g. {"3": 1, "5": 2} or {3 1, 5 2}');
  }
  const order = new Map<number, number>();
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const index = Number(k);
    const position = typeof v === 'bigint' ? Number(v) : v;
    if (!Number.isSafeInteger(index) || index < 0) throw new InputError(file, undefined, `"${k}" is not an event index (a whole number)`);
    if (typeof position !== 'number' || !Number.isFinite(position)) throw new InputError(file, undefined, `event ${k}: position ${String(v)} is not a number`);
    order.set(index, position);
  }
  checkDistinct(order, file);
  return order;
}

/** Two transactions at one position leave their versions unordered: refused, not guessed. */
export function checkDistinct(order: ReadonlyMap<number, number>, file: string): void {
  const at = new Map<number, number>();
  for (const [index, position] of order) {
    const other = at.get(position);
    if (other !== undefined) throw new InputError(file, undefined, `transaction order: events ${other} and ${index} are both at position ${position}`, 'positions must be distinct');
    at.set(position, index);
  }
}
