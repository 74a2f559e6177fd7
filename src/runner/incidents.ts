/**
 * Incidents: things that went wrong inside a client library and were contained (a
 * connection reset instead of a crash). They change no outcome by themselves — the
 * operations involved already ended `info` — but a run reports them next to its verdict.
 */
const incidents: string[] = [];
const MAX = 100;

export function reportIncident(text: string): void {
  if (incidents.length < MAX) incidents.push(text);
}

/** The incidents since the last call, oldest first. */
export function drainIncidents(): string[] {
  return incidents.splice(0);
}
