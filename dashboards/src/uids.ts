/**
 * Dashboard UIDs are part of the contract: Grafana URLs (`/d/<uid>`), runbook links and alert
 * annotations point at them, so they never change once shipped.
 */
export const DASHBOARD_UIDS = {
  overview: 'mlsched-overview',
  scheduler: 'mlsched-scheduler',
  balance: 'mlsched-balance',
  model: 'mlsched-model',
} as const;

export const DASHBOARD_TITLES = {
  overview: 'ML scheduler / Overview',
  scheduler: 'ML scheduler / Scheduler',
  balance: 'ML scheduler / Cluster balance',
  model: 'ML scheduler / Model',
} as const;
