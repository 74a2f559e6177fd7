/**
 * A checker's answer. `unknown` is a first-class outcome: a budget ran out, or the
 * history was incomplete. It is never rounded to `valid`.
 */
export type Verdict = 'valid' | 'invalid' | 'unknown';

/** The worst of several verdicts: invalid beats unknown beats valid. */
export function worstVerdict(verdicts: Iterable<Verdict>): Verdict {
  let worst: Verdict = 'valid';
  for (const v of verdicts) {
    if (v === 'invalid') return 'invalid';
    if (v === 'unknown') worst = 'unknown';
  }
  return worst;
}
