import type { HistoryEvent } from '../history/event.js';
import { parseJsonLines } from '../history/formats/jsonl.js';
import { readHistoryText } from '../history/read.js';

export interface ReadHistory {
  events: HistoryEvent[];
  /** The file ended in a partial line (the run was killed mid-write); it was left out. */
  tornTail: boolean;
}

/**
 * Reads a run's `history.jsonl`, which may belong to a run that crashed. Only the last
 * line may be broken — that is what a kill mid-write leaves — and it is dropped
 * (`tornTail`); the rest goes through the history reader, so a broken line anywhere else
 * is an InputError naming the line. A history that cannot be read at all (missing, a
 * directory in its place) is an InputError naming the file, never a crash.
 */
export async function readHistoryJsonl(path: string): Promise<ReadHistory> {
  const text = await readHistoryText(path);
  const cut = text.lastIndexOf('\n') + 1;
  const tail = text.slice(cut);
  const tornTail = tail.trim() !== '' && !parsesAsJson(tail);
  return { events: parseJsonLines(tornTail ? text.slice(0, cut) : text, path), tornTail };
}

function parsesAsJson(line: string): boolean {
  try {
    JSON.parse(line);
    return true;
  } catch {
    return false;
  }
}
