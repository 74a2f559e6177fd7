/**
 * JSON that is safe inside `<script type="application/json">`: the HTML parser ends a
 * script element at `</script` whatever the type, and `<!--` changes how it scans, so no
 * `<`, `>` or `&` may appear raw. U+2028/2029 are escaped too, for anyone who pastes the
 * data into a JavaScript string. The escapes are JSON escapes: `JSON.parse` undoes them.
 * Integers beyond 2^53 go as strings of their digits: the browser's `JSON.parse` would
 * round them, and the page must show the value the database returned.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? String(v) : v)).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Text for HTML element content or a quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
