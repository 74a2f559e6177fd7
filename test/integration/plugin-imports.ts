import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Every module specifier (static and dynamic imports) in a plugin folder's files that is not
 * one of `allowed`, a `node:` built-in or one of its own files: what a plugin written only
 * against faultline's public API must leave empty. Also says whether it imports 'faultline'.
 */
export async function foreignImports(dir: string, allowed: readonly string[]): Promise<{ foreign: string[]; usesFaultline: boolean }> {
  const files = (await readdir(dir)).filter((f) => /\.[cm]?[jt]s$/.test(f));
  const foreign: string[] = [];
  let usesFaultline = false;
  for (const f of files) {
    const text = await readFile(join(dir, f), 'utf8');
    for (const m of text.matchAll(/\b(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)) {
      const spec = m[1] ?? '';
      if (spec === 'faultline') usesFaultline = true;
      const ok = spec === 'faultline' || allowed.includes(spec) || spec.startsWith('node:') || /^\.\/[\w.-]+\.js$/.test(spec);
      if (!ok) foreign.push(`${f} imports ${spec}`);
    }
  }
  return { foreign, usesFaultline };
}
