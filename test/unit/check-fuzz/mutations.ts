import fc from 'fast-check';
import type { Json } from '../../../src/history/event.js';
import type { SeedEvent } from './seeds.js';

/**
 * Mutations of a well-formed history, in two layers: on its events (a field of the wrong
 * type, missing, an unknown type or f, a duplicated invocation, a completion without one)
 * and on its text (truncation, BOM, CRLF, byte flips, EDN oddities, huge or non-finite
 * numbers, deep nesting).
 */

export type EventMutation = (events: SeedEvent[]) => SeedEvent[];
export type TextMutation = (text: Buffer) => Buffer;

const fraction = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true });
const pick = <T>(xs: readonly T[], f: number): T | undefined => xs[Math.floor(f * xs.length)];

/** Values no history of the seed's checker holds there: wrong types, wrong arity, nested nulls, beyond 2^53. */
export const oddValue: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>(
    null,
    '',
    '1',
    'NaN',
    'Infinity',
    -1,
    -0,
    1.5,
    1e300,
    2 ** 53,
    9007199254740993n,
    -9007199254740993n,
    123456789012345678901234567890n,
    true,
    [],
    [null],
    [[null, [null]]],
    [1],
    [1, 2, 3],
    ['append'],
    ['r', 1],
    [['append', 1]],
    [['r', null, null]],
    [['x', 1, 2]],
    {},
    { from: null, to: 'a', amount: -3 },
    { from: 0, to: 1, amount: 2 ** 40 },
    { from: 0, to: 1, amount: 9007199254740993n },
    { from: 1, to: 1, amount: 0 },
    [0, 9007199254740993n, -1, 2 ** 31],
    { leader: null },
    { from: 1, responses: null },
    { from: 1, responses: [[null]] },
    { id: 1 },
    '\u00fc\u2603\u{1F600}',
    '\u0000',
    '\uFEFF',
    { '': null, __proto__x: [] },
  ),
  fc.string({ maxLength: 6 }),
  fc.integer(),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map((b) => (Number.isSafeInteger(Number(b)) && BigInt(Number(b)) === b ? Number(b) : b)),
);

const FIELDS = ['process', 'type', 'f', 'value', 'key'] as const;

export const eventMutation: fc.Arbitrary<EventMutation> = fc.oneof(
  // A field of the wrong type (or out of range), on one event.
  fc.tuple(fraction, fc.constantFrom(...FIELDS), oddValue).map(
    ([f, field, v]): EventMutation =>
      (es) => es.map((e, i) => (i === Math.floor(f * es.length) ? ({ ...e, [field]: v } as unknown as SeedEvent) : e)),
  ),
  // A field missing.
  fc.tuple(fraction, fc.constantFrom(...FIELDS)).map(
    ([f, field]): EventMutation =>
      (es) =>
        es.map((e, i) => {
          if (i !== Math.floor(f * es.length)) return e;
          const { [field]: _gone, ...rest } = e;
          return rest as SeedEvent;
        }),
  ),
  // Unknown :type or :f.
  fc.tuple(fraction, fc.constantFrom('type', 'f'), fc.constantFrom('started', 'frobnicate', 'OK', 'invoke ', '')).map(
    ([f, field, v]): EventMutation =>
      (es) => es.map((e, i) => (i === Math.floor(f * es.length) ? ({ ...e, [field]: v } as unknown as SeedEvent) : e)),
  ),
  // A duplicated event (an invocation twice, a completion twice).
  fraction.map((f): EventMutation => (es) => {
    const i = Math.floor(f * es.length);
    return [...es.slice(0, i + 1), ...es.slice(i)];
  }),
  // An event removed (a completion without its invocation, an invocation never completed).
  fraction.map((f): EventMutation => (es) => es.filter((_, i) => i !== Math.floor(f * es.length))),
  // Two events swapped (a completion before its invocation).
  fc.tuple(fraction, fraction).map(([a, b]): EventMutation => (es) => {
    const out = [...es];
    const i = Math.floor(a * es.length);
    const j = Math.floor(b * es.length);
    [out[i], out[j]] = [out[j]!, out[i]!];
    return out;
  }),
  // Keys of mixed types: "1" beside 1.
  fc.constantFrom<Json>(1, '1', 1n << 60n, 'x', 0).map((k): EventMutation => (es) => es.map((e, i) => (i % 3 === 0 ? ({ ...e, key: k } as SeedEvent) : e))),
  // Another process of the same op (a process id reused, negative, huge).
  fc.tuple(fraction, fc.constantFrom<Json>(0, -1, 1.5, 2 ** 53, 9007199254740993n, 'nemesis', 'p1')).map(
    ([f, p]): EventMutation =>
      (es) => es.map((e, i) => (i === Math.floor(f * es.length) ? ({ ...e, process: p } as unknown as SeedEvent) : e)),
  ),
);

const at = (t: Buffer, f: number): number => Math.floor(f * (t.length + 1));
const splice = (t: Buffer, i: number, remove: number, insert: Buffer | string): Buffer =>
  Buffer.concat([t.subarray(0, i), Buffer.from(insert), t.subarray(Math.min(t.length, i + remove))]);

/** Tokens that replace a number or keyword: EDN's odd forms, numbers JSON cannot hold exactly. */
const ODD_TOKENS = [
  '9007199254740993',
  '9007199254740993N',
  '-9007199254740993',
  '123456789012345678901234567890N',
  '1e400',
  '-1e400',
  'NaN',
  'Infinity',
  '-Infinity',
  '##NaN',
  '##Inf',
  '##-Inf',
  '1/2',
  '1.5M',
  '0x10',
  '\\a',
  '\\newline',
  '#{1 2}',
  '#{}',
  '#inst "2020-01-01T00:00:00Z"',
  '#inst "bad"',
  '#uuid "00000000-0000-0000-0000-000000000000"',
  '#foo/bar [1]',
  '#_ 1 2',
  ':kw',
  ':ns/kw',
  '"str"',
  'sym',
  '{:a {:b nil}}',
  '{1 2, "1" 3}',
  '(1 2)',
  '[[[[[[[[nil]]]]]]]]',
  'nil',
  'true',
  '"\\u0000"',
  '"\u00fc\u2603"',
  '; comment\n',
  '-0',
  '+1',
  '01',
];

export const textMutation: fc.Arbitrary<TextMutation> = fc.oneof(
  // Truncated anywhere.
  fraction.map((f): TextMutation => (t) => t.subarray(0, at(t, f))),
  // A byte replaced.
  fc.tuple(fraction, fc.integer({ min: 0, max: 255 })).map(([f, b]): TextMutation => (t) => splice(t, at(t, f), 1, Buffer.from([b]))),
  // A line duplicated or dropped.
  fc.tuple(fraction, fc.boolean()).map(([f, dup]): TextMutation => (t) => {
    const lines = t.toString('latin1').split('\n');
    const i = Math.floor(f * lines.length);
    if (dup) lines.splice(i, 0, lines[i] ?? '');
    else lines.splice(i, 1);
    return Buffer.from(lines.join('\n'), 'latin1');
  }),
  // A byte-order mark; CRLF line ends; a trailing blank line.
  fc.constantFrom<TextMutation>(
    (t) => Buffer.concat([Buffer.from('\uFEFF'), t]),
    (t) => Buffer.from(t.toString('latin1').replace(/\n/g, '\r\n'), 'latin1'),
    (t) => Buffer.concat([t, Buffer.from('\n\n  \n')]),
  ),
  // A number or keyword replaced by an odd token.
  fc.tuple(fraction, fc.constantFrom(...ODD_TOKENS)).map(([f, token]): TextMutation => (t) => {
    const text = t.toString('latin1');
    const m = pick([...text.matchAll(/-?\d+|:[a-z][\w-]*|nil|null/g)], f);
    return m === undefined ? t : splice(t, m.index, m[0].length, token);
  }),
  // Deep nesting, or a stray delimiter.
  fc.tuple(fraction, fc.integer({ min: 1, max: 5000 }), fc.constantFrom('[', '{', '(', '#{', '{"a":', '[[', '{:a ')).map(
    ([f, depth, open]): TextMutation =>
      (t) => splice(t, at(t, f), 0, open.repeat(depth)),
  ),
  fc.tuple(fraction, fc.constantFrom('\u0000', '\uFFFD', '"', '\\', '\n', ':', ',', '}', ']', ')', ';', '#', '\r', '\t', ' ')).map(
    ([f, s]): TextMutation =>
      (t) => splice(t, at(t, f), 0, s),
  ),
  // Invalid UTF-8.
  fraction.map((f): TextMutation => (t) => splice(t, at(t, f), 0, Buffer.from([0xc3, 0x28, 0xff, 0xfe]))),
);
