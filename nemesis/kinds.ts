/** Every fault kind `--nemesis` accepts; `all` stands for all of them. */
export const NEMESIS_KINDS = ['partition', 'kill', 'pause', 'clock', 'packet', 'client-pause', 'member'] as const;
export type NemesisKind = (typeof NEMESIS_KINDS)[number];

/** `all` expands to every kind; duplicates go, and the order is NEMESIS_KINDS' (so the schedule does not depend on how they were listed). */
export function expandNemesisKinds(names: readonly string[]): NemesisKind[] {
  const wanted = new Set<string>(names.includes('all') ? NEMESIS_KINDS : names);
  return NEMESIS_KINDS.filter((k) => wanted.has(k));
}
