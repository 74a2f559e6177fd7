/**
 * Delta debugging (Zeller's ddmin) over a list: the smallest sub-list found for which
 * `failing` still holds. It tries halves, then complements, then finer pieces; when it
 * ends without running out of budget, the result is **1-minimal** — removing any single
 * element makes `failing` false — which is the property users can rely on (and tests check).
 * `failing` must be deterministic; order is preserved.
 */
export interface DdminResult<T> {
  items: T[];
  /** False when the budget ran out first: smaller, but perhaps not 1-minimal. */
  minimal: boolean;
  tests: number;
}

export async function ddmin<T>(items: readonly T[], failing: (subset: T[]) => Promise<boolean>, deadline = Infinity): Promise<DdminResult<T>> {
  let current = [...items];
  let n = 2;
  let tests = 0;
  const test = async (subset: T[]): Promise<boolean> => {
    tests++;
    return failing(subset);
  };
  while (current.length >= 2) {
    if (Date.now() > deadline) return { items: current, minimal: false, tests };
    const chunks = split(current, Math.min(n, current.length));
    let reduced = false;
    for (const chunk of chunks) {
      if (chunks.length > 2 && (await test(chunk))) {
        current = chunk;
        n = 2;
        reduced = true;
        break;
      }
    }
    if (!reduced) {
      for (let i = 0; i < chunks.length; i++) {
        const complement = chunks.flatMap((c, j) => (j === i ? [] : c));
        if (await test(complement)) {
          current = complement;
          n = Math.max(n - 1, 2);
          reduced = true;
          break;
        }
        if (Date.now() > deadline) return { items: current, minimal: false, tests };
      }
    }
    if (!reduced) {
      // Every single element was removed once (n = length) and none could go: 1-minimal.
      if (n >= current.length) break;
      n = Math.min(2 * n, current.length);
    }
  }
  return { items: current, minimal: true, tests };
}

/** `items` in `n` contiguous pieces of near-equal size. */
function split<T>(items: readonly T[], n: number): T[][] {
  const out: T[][] = [];
  let start = 0;
  for (let i = 0; i < n; i++) {
    const end = start + Math.floor((items.length - start) / (n - i));
    out.push(items.slice(start, end));
    start = end;
  }
  return out;
}
