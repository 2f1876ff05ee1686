/** The label every object of this project carries; Argo CD and `kubectl -l` find them by it. */
export const PART_OF = { 'app.kubernetes.io/part-of': 'mlsched' } as const;

/**
 * Labels that select one component's pods. Kept to two stable keys: a selector cannot change
 * after a Deployment or StatefulSet exists, so nothing that varies per release goes in here.
 */
export function selectorLabels(component: string): Record<string, string> {
  return { 'app.kubernetes.io/name': component, ...PART_OF };
}

/** Labels for a component's objects and pod templates: the selector plus its role. */
export function componentLabels(component: string, role: string): Record<string, string> {
  return { ...selectorLabels(component), 'app.kubernetes.io/component': role };
}
