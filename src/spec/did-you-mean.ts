// Apart from choices.ts so that commands which only suggest names do not load zod.

/** Edit distance, for suggestions: small strings only. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const next = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = row[j]!;
      row[j] = next;
    }
  }
  return row[b.length]!;
}

/** ` (did you mean "register"?)` when `input` is a near miss of one of `choices`, else nothing. */
export function didYouMean(input: unknown, choices: readonly string[]): string {
  if (typeof input !== 'string' || input === '') return '';
  const lower = input.toLowerCase();
  let best: { choice: string; d: number } | undefined;
  for (const choice of choices) {
    const d = distance(lower, choice.toLowerCase());
    if (best === undefined || d < best.d) best = { choice, d };
  }
  return best !== undefined && best.d <= Math.max(1, Math.floor(best.choice.length / 3)) ? ` (did you mean "${best.choice}"?)` : '';
}
