import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { escapeHtml, jsonForScript } from '../../../src/report/escape.js';
import { HOSTILE } from './invalid-run.js';

test('jsonForScript leaves no character that could end or confuse a script element, and parses back to the value', () => {
  fc.assert(
    fc.property(fc.jsonValue(), fc.string({ unit: 'binary' }), (value, text) => {
      for (const v of [value, text, { [text]: [text, value] }]) {
        const out = jsonForScript(v);
        assert.doesNotMatch(out, /[<>&\u2028\u2029]/);
        assert.deepEqual(JSON.parse(out), JSON.parse(JSON.stringify(v)));
      }
    }),
    { numRuns: 300 },
  );
  assert.equal(jsonForScript(HOSTILE).includes('</script'), false);
  assert.equal(jsonForScript('a\u2028b'), '"a\\u2028b"');
});

test('escapeHtml turns markup into text', () => {
  assert.equal(escapeHtml(HOSTILE), '&#60;/script&#62;&#60;img src=x onerror=&#34;window.__pwned=1;alert(1)&#34;&#62;');
  assert.equal(escapeHtml(`a&b'c`), 'a&#38;b&#39;c');
});
