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
    throw new InputError(file, line, `not valid YAML: ${yamlError.message.split('\n')[0] ?? yamlError.code}`, HINT);
  }
  const r = CampaignSchema.safeParse(doc.toJS() ?? {});
  if (r.success) return r.data;
  const issues = r.error.issues.map(deepestIssue);
  const issue = issues[0];
  if (issue === undefined) throw new InputError(file, undefined, 'invalid campaign', HINT);
  const node = nodeAt(doc.contents, issue.path);
  const line = node?.range === undefined || node.range === null ? undefined : lineCounter.linePos(node.range[0]).line;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? 's' : ''})` : '';
  throw new InputError(file, line, `${formatPath(issue.path) || 'campaign'}: ${issue.message}${more}`, HINT);
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
