import assert from 'node:assert/strict';
import { InputError } from '../../../src/errors.js';

/** The one-line exit-3 InputError `parse` throws for `text`, as its message; fails the test when `text` is accepted. */
export function inputProblem(parse: (text: string) => unknown, text: string): string {
  try {
    parse(text);
  } catch (err) {
    assert.ok(err instanceof InputError, String(err));
    assert.equal(err.exitCode, 3);
    assert.ok(!err.message.includes('\n'), 'one line');
    return err.message;
  }
  assert.fail(`accepted: ${text}`);
}
