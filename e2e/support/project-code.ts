/**
 * Loads project TypeScript from libs/ into an e2e suite, under Node's type stripping. The
 * project's sources import each other without extensions (as its CommonJS build wants), which
 * Node's ESM resolver refuses; this resolve hook retries such a relative import from libs/ with
 * `.ts` (or `/index.ts`) and marks libs/ files as TypeScript modules. What is loaded this way
 * must be erasable TypeScript: no parameter properties, enums or namespaces, and no path aliases.
 */
import { existsSync } from 'node:fs';
import { registerHooks } from 'node:module';
import { fileURLToPath } from 'node:url';

const LIBS = new URL('../../libs/', import.meta.url).href;

registerHooks({
  resolve(specifier, context, nextResolve) {
    const parent = context.parentURL;
    if (
      parent?.startsWith(LIBS) === true &&
      (specifier.startsWith('./') || specifier.startsWith('../')) &&
      !/\.[cm]?[jt]s$/.test(specifier)
    ) {
      for (const candidate of [`${specifier}.ts`, `${specifier}/index.ts`]) {
        const url = new URL(candidate, parent);
        if (existsSync(fileURLToPath(url)))
          return { url: url.href, format: 'module-typescript', shortCircuit: true };
      }
    }
    const resolved = nextResolve(specifier, context);
    return resolved.url.startsWith(LIBS) && resolved.url.endsWith('.ts')
      ? { ...resolved, format: 'module-typescript' }
      : resolved;
  },
});

/** Imports `path` (from the repository root, e.g. `libs/common/src/dpop/index.ts`). */
export async function importProjectCode(path: string): Promise<unknown> {
  return import(new URL(`../../${path}`, import.meta.url).href);
}
