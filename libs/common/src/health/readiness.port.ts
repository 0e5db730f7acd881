/** What a service depends on, checked by GET /readyz. */
export interface ReadinessProbe {
  /** Names each dependency with whether it answers now. */
  check(): Promise<Record<string, boolean>>;
}
