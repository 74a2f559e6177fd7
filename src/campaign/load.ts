import { readFile } from 'node:fs/promises';
import { LineCounter, type Node, parseDocument, isNode } from 'yaml';
import type { z } from 'zod';
import { InputError } from '../errors.js';
import { type Campaign, CampaignSchema } from './schema.js';

const HINT = 'see docs/campaigns.md; editors can validate with schema/campaign.schema.json';

/** Reads and validates a campaign file (YAML, or JSON, which YAML includes). */
export async function loadCampaign(file: string): Promise<Campaign> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new InputError(file, undefined, `cannot read the campaign file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, 'give the path of a campaign YAML file, e.g. examples/quick.yaml');
  }
  return parseCampaign(text, file);
}

/**
 * Parses and validates campaign text. The first problem becomes an InputError naming the
 * file, the line (from the YAML node the bad field came from) and the field's path:
 * `campaign.yaml:7: matrix.systems[2]: unknown system "redis2" — choose one of …`.
 */
export function parseCampaign(text: string, file: string): Campaign {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const yamlError = doc.errors[0];
  if (yamlError !== undefined) {
    const line = yamlError.linePos?.[0].line ?? lineCounter.linePos(yamlError.pos[0]).line;
    // The parser reports its own stack overflow as a YAML error: say what it means.
    const message = /call stack/i.test(yamlError.message) ? 'it nests too deeply' : (yamlError.message.split('\n')[0] ?? yamlError.code);
    throw new InputError(file, line, `not valid YAML: ${message}`, HINT);
  }
  const r = CampaignSchema.safeParse(plainValue(doc, file) ?? {});
  if (r.success) return r.data;
  const issues = r.error.issues.map(deepestIssue);
  if (issues.length === 0) throw new InputError(file, undefined, 'invalid campaign', HINT);
  // Every problem at once, each with its own line, so one edit fixes them all.
  const located = issues.slice(0, MAX_PROBLEMS).map((issue) => {
    const node = nodeAt(doc.contents, issue.path);
    const line = node?.range === undefined || node.range === null ? undefined : lineCounter.linePos(node.range[0]).line;
    return { line, text: `${formatPath(issue.path) || 'campaign'}: ${issue.message}` };
  });
  const [first, ...rest] = located as [(typeof located)[number], ...typeof located];
  const also = rest.map((p) => new InputError(file, p.line, p.text).message);
  if (issues.length > MAX_PROBLEMS) also.push(`${file}: and ${issues.length - MAX_PROBLEMS} more problems`);
  throw new InputError(file, first.line, first.text, HINT, also);
}

/** Problems listed at most; past this the file is likely not a campaign at all. */
const MAX_PROBLEMS = 20;

/**
 * The document as plain data. Aliases that expand past yaml's budget (a "billion laughs"
 * file) and nesting too deep to walk are the file's problem, said in a line.
 */
function plainValue(doc: ReturnType<typeof parseDocument>, file: string): unknown {
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    if (err instanceof RangeError) throw new InputError(file, undefined, 'not a usable campaign: it nests too deeply', HINT);
    if (err instanceof ReferenceError && /alias/i.test(err.message)) {
      throw new InputError(file, undefined, 'not a usable campaign: its YAML aliases expand too much (more than 100 references to one anchor\'s contents)', HINT);
    }
    throw new InputError(file, undefined, `not valid YAML: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`, HINT);
  }
}

interface Issue {
  path: PropertyKey[];
  message: string;
}

/**
 * A union's own message ("Invalid input") says nothing; the branch that got furthest into
 * the value (the longest path) usually says what is wrong.
 */
function deepestIssue(issue: z.core.$ZodIssue): Issue {
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    let best: Issue | undefined;
    for (const branch of issue.errors) {
      const first = branch[0];
      if (first === undefined) continue;
      const inner = deepestIssue(first);
      if (best === undefined || inner.path.length > best.path.length) best = inner;
    }
    if (best !== undefined) return { path: [...issue.path, ...best.path], message: best.message };
  }
  // An unknown field is pointed at itself (its own line), not at the map holding it.
  if (issue.code === 'unrecognized_keys' && issue.keys.length === 1) return { path: [...issue.path, issue.keys[0]!], message: 'unknown field' };
  return { path: issue.path, message: issue.message };
}

/** `['matrix', 'systems', 2]` → `matrix.systems[2]` */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('');
}

/** The YAML node at `path`, or the deepest existing one above it (a missing field points at its parent). */
function nodeAt(root: unknown, path: readonly PropertyKey[]): Node | undefined {
  let node: unknown = root;
  let found: Node | undefined = isNode(root) ? root : undefined;
  for (const key of path) {
    const next = isNode(node) && 'get' in node && typeof node.get === 'function' ? (node.get as (k: unknown, keep: boolean) => unknown)(key, true) : undefined;
    if (!isNode(next)) break;
    node = next;
    found = next;
  }
  return found;
}
