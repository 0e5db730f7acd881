/**
 * Preloaded into a service with NODE_OPTIONS=--import=<this file>: when the process exits, writes
 * to MODULE_PROBE_FILE every file Node loaded through `require`, in the order each was first
 * loaded, with the file that first required it. Lets a suite check, in the real webpack bundle,
 * which packages a service loaded, in what order, and for whom.
 */
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export interface LoadedModule {
  file: string;
  /** The module that required it first; undefined for the entry point. */
  by?: string;
}

const out = process.env.MODULE_PROBE_FILE;
if (out !== undefined && out !== '') {
  const cache = createRequire(import.meta.url).cache;
  process.on('exit', () => {
    const by = new Map<string, string>();
    for (const [file, module] of Object.entries(cache)) {
      for (const child of module?.children ?? []) if (!by.has(child.id)) by.set(child.id, file);
    }
    const loaded: LoadedModule[] = Object.keys(cache).map((file) => ({ file, by: by.get(file) }));
    writeFileSync(out, JSON.stringify(loaded));
  });
}
