/**
 * PromQL of the dashboards that is longer than a line or needs a word on why. Recorded series
 * come from `RECORDS`, so a dashboard and the alert on the same figure cannot disagree.
 */
import { METRICS } from '@mlsched/core';
import { RECORDS, type ObservabilityTargets } from '@mlsched/alerts';

/**
 * The extender forecasts this far ahead (5 minutes, as trained). Shifting the forecast by its
 * horizon puts it on the same time axis as the actual it predicted.
 */
export const PREDICTION_HORIZON = '5m';

/** 1 when the objective is met, 0 when missed; `bool` keeps the 0 instead of dropping it. */
export const objectiveMet = {
  cpu: `${RECORDS.clusterCpuUtilisation} <= bool ${RECORDS.clusterCpuTarget}`,
  availability: `${RECORDS.workloadAvailability} >= bool ${RECORDS.workloadAvailabilityObjective}`,
  schedulingLatency: `${RECORDS.schedulingWithinObjective}
  >= bool on () ${RECORDS.schedulingObjective}`,
  noHotWorker: `sum(${RECORDS.nodeHot}) == bool 0`,
};

export function firingAlerts(): string {
  return `count(ALERTS{alertname=~"Mlsched.*", alertstate="firing"}) or vector(0)`;
}

export function extenderTargetsUp(t: ObservabilityTargets): string {
  return `sum(up{job="${t.extenderJob}"}) or vector(0)`;
}

export const requestsByVerbAndCode = `sum by (verb, code) (rate(${METRICS.requests}[5m]))`;

export const decisionsByNode = `sum by (node, decision) (rate(${METRICS.decisions}[5m]))`;

export const degradedByReason = `sum by (reason) (rate(${METRICS.degraded}[5m]))`;

export function schedulingAttemptsByResult(t: ObservabilityTargets): string {
  return `sum by (result) (
  rate(scheduler_schedule_attempts_total{profile="${t.schedulerName}"}[5m])
)`;
}

export const validationMae = `max by (resource) (
  ${METRICS.trainingValidationMae}{predictor="model"}
)`;

/** Live error over validation error: 1 means the model does as well as it did in validation. */
export const driftRatio = `${RECORDS.predictionError}
/ on (resource) ${validationMae}`;

export function predictionErrorQuantile(q: number): string {
  return `histogram_quantile(${q},
  sum by (resource, le) (rate(${METRICS.predictionError}_bucket[1h]))
)`;
}

export const forecastShifted = `max by (node) (
  ${METRICS.nodePredictedUtilization}{resource="cpu"} offset ${PREDICTION_HORIZON}
)`;

export const trainingRunsPerDay = `sum by (model, result) (increase(${METRICS.trainingRuns}[1d]))`;

export const sinceLastTraining = `time() - max by (model) (${METRICS.trainingLastSuccess})`;

export const anomaliesLastHour = `sum by (node) (increase(${METRICS.anomalies}[1h]))`;

export const servedModel = `max by (version) (${METRICS.modelInfo}) == 1`;

export const nodeMetricsState = `max by (node, state) (${METRICS.nodeMetricsState}) == 1`;
