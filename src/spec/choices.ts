import { z } from 'zod';
import { didYouMean } from './did-you-mean.js';

export { didYouMean } from './did-you-mean.js';

/** A choice among names whose error names the bad value, suggests the nearest, and lists them all. */
export function choiceSchema(what: string, values: readonly string[]): z.ZodType<string> {
  return z.enum(values as [string, ...string[]], {
    error: (iss) => `unknown ${what} ${JSON.stringify(iss.input)}${didYouMean(iss.input, values)} — choose one of ${values.join(', ')}`,
  });
}
