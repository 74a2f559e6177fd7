import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { test } from 'node:test';
import { packageRoot } from '../../../src/version.js';

/**
 * The architecture as a checked fact: the top-level parts of the code (each folder of src/,
 * each file at src/'s root, nemesis/ and workloads/) import each other without a cycle, so
 * each layer can be read, tested and replaced from the bottom up.
 */
const ROOTS = ['src', 'nemesis', 'workloads'];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** `src/runner/run.ts` → `src/runner`; `src/errors.ts` → `src/errors.ts`; `nemesis/x.ts` → `nemesis`. */
function partOf(file: string): string {
  const parts = relative(packageRoot, file).split(sep);
  if (parts[0] === 'src') return parts.length > 2 ? `src/${parts[1]}` : `src/${parts[1]}`;
  return parts[0]!;
}

export function partGraph(): Map<string, Map<string, string>> {
  const graph = new Map<string, Map<string, string>>();
  for (const root of ROOTS) {
    for (const file of sources(join(packageRoot, root))) {
      const from = partOf(file);
      const text = readFileSync(file, 'utf8');
      const edges = graph.get(from) ?? new Map<string, string>();
      graph.set(from, edges);
      for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g)) {
        const spec = m[1] ?? m[2]!;
        const target = resolve(dirname(file), spec);
        const rel = relative(packageRoot, target);
        if (rel.startsWith('..') || !ROOTS.includes(rel.split(sep)[0]!)) continue;
        const to = partOf(target);
        if (to !== from && !edges.has(to)) edges.set(to, relative(packageRoot, file));
      }
    }
  }
  return graph;
}

/** Strongly connected components with more than one part (Tarjan). */
function cycles(graph: Map<string, Map<string, string>>): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    indices.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v)?.keys() ?? []) {
      if (!indices.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, indices.get(w)!));
    }
    if (low.get(v) === indices.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) out.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!indices.has(v)) visit(v);
  return out;
}

test('no import cycle between the top-level parts of the code', () => {
  const graph = partGraph();
  const found = cycles(graph).map((scc) => {
    const witnesses = scc.flatMap((a) => scc.filter((b) => graph.get(a)?.has(b)).map((b) => `${a} → ${b} (${graph.get(a)!.get(b)})`));
    return `cycle among ${scc.join(', ')}:\n    ${witnesses.join('\n    ')}`;
  });
  assert.deepEqual(found, [], found.join('\n'));
});

test('the pure cores import nothing that does I/O', () => {
  const graph = partGraph();
  const pure = ['src/history', 'src/checker', 'src/generator'];
  const io = ['src/cluster', 'src/systems', 'src/execute', 'src/cli', 'src/store', 'src/server', 'src/campaign', 'nemesis'];
  for (const part of pure) for (const dep of graph.get(part)?.keys() ?? []) assert.ok(!io.includes(dep), `${part} imports ${dep} (${graph.get(part)!.get(dep)})`);
});
