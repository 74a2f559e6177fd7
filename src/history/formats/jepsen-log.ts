import type { HistoryEvent } from '../event.js';
import { parseEdnValue } from './edn.js';
import { fail, parserMessage, toEvent } from './normalize.js';

/**
 * An operation line of Jepsen's old text log: `INFO  jepsen.util - 3	:invoke	:read	nil`
 * (tabs or spaces). The logger prefix is optional so bare `3 :ok :read 1` lines work too.
 */
export const JEPSEN_LOG_LINE = /^(?:.*?jepsen\.util\s+-\s+)?(:?[\w-]+)\s+:(invoke|ok|fail|info)\s+(:?[^\s]+)\s*(.*)$/;

/** Lines that are not operations (setup, nemesis chatter, stack traces) are skipped. */
export function parseJepsenLog(text: string, file: string): HistoryEvent[] {
  const events: HistoryEvent[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = JEPSEN_LOG_LINE.exec(lines[i]!.trim());
    if (m === null) continue;
    const [, proc, type, f, rest] = m as unknown as [string, string, string, string, string];
    const at = { file, line: i + 1, position: events.length };
    const process = proc.startsWith(':') ? proc.slice(1) : Number(proc);
    if (typeof process === 'number' && !Number.isInteger(process)) continue;
    const raw: Record<string, unknown> = { process, type, f: f.replace(/^:/, '') };
    const valueText = rest.trim();
    // `:info :write :timed-out` — a bare keyword where a completion's value goes is the error.
    if ((type === 'fail' || type === 'info') && /^:[\w.-]+$/.test(valueText)) {
      raw['value'] = null;
      raw['error'] = valueText.slice(1);
    } else if (valueText !== '') {
      raw['value'] = parseValue(valueText, at);
    }
    events.push(toEvent(raw, at));
  }
  return events;
}

function parseValue(text: string, at: { file: string; line: number; position: number }): unknown {
  try {
    return parseEdnValue(text);
  } catch (err) {
    return fail(at, `expected an EDN value after the function name (${parserMessage(err)})`);
  }
}
