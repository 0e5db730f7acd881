/** The `default` of a switch that TypeScript has proven exhaustive; reached only by a bug. */
export function assertNever(value: never): never {
  throw new Error(`unhandled case ${String(value)}`);
}
