import { OBJECTIVES, RECORDS } from '@mlsched/alerts';
import { METRICS } from '@mlsched/core';

import { buildDashboard } from './layout.js';
import { modelAgeStat, stat, timeseries } from './panels.js';
import * as q from './queries.js';
import { DASHBOARD_TITLES, DASHBOARD_UIDS } from './uids.js';

/** The model: how wrong it is live, whether that drifted, which version, its training history. */
export function modelDashboard(): object {
  return buildDashboard({
    uid: DASHBOARD_UIDS.model,
    title: DASHBOARD_TITLES.model,
    description: 'Prediction error, drift, served version, training history and anomalies.',
    sections: [
      {
        row: 'Served model',
        panels: [
          stat({
            title: 'Served version',
            description: 'Version of the model artifact the extender serves.',
            unit: 'none',
            width: 12,
            height: 4,
            showNames: true,
            queries: [{ expr: q.servedModel, legend: '{{version}}' }],
          }),
          modelAgeStat(12),
        ],
      },
      {
        row: 'Prediction error and drift',
        panels: [
          timeseries({
            title: 'Prediction error: live against validation',
            description:
              'Mean |forecast − actual| over the last hour, as a share of node capacity, next ' +
              'to the validation MAE the trainer reported for the model.',
            unit: 'percentunit',
            min: 0,
            queries: [
              { expr: RECORDS.predictionError, legend: '{{resource}} live' },
              { expr: q.validationMae, legend: '{{resource}} validation' },
            ],
          }),
          timeseries({
            title: 'Drift: live error ÷ validation error',
            description:
              `1 is as good as in validation; past the dashed line ` +
              `(${OBJECTIVES.predictionErrorDriftFactor}) MlschedPredictionErrorDrift fires.`,
            unit: 'short',
            min: 0,
            limit: OBJECTIVES.predictionErrorDriftFactor,
            queries: [{ expr: q.driftRatio, legend: '{{resource}}' }],
          }),
          timeseries({
            title: 'Prediction error quantiles (1 h)',
            description:
              'Half of the forecasts are off by less than p50, nine in ten by less than p90.',
            unit: 'percentunit',
            min: 0,
            queries: [
              { expr: q.predictionErrorQuantile(0.5), legend: '{{resource}} p50' },
              { expr: q.predictionErrorQuantile(0.9), legend: '{{resource}} p90' },
            ],
          }),
          timeseries({
            title: 'CPU forecast against actual, per node',
            description:
              `The forecast is shifted by its ${q.PREDICTION_HORIZON} horizon so it lines up ` +
              'with the actual it predicted.',
            unit: 'percentunit',
            min: 0,
            queries: [
              { expr: q.forecastShifted, legend: '{{node}} forecast' },
              {
                expr: `max by (node) (${METRICS.nodeObservedUtilization}{resource="cpu"})`,
                legend: '{{node}} actual',
              },
            ],
          }),
        ],
      },
      {
        row: 'Training',
        panels: [
          timeseries({
            title: 'Training runs per day by result',
            description: 'published, rejected (worse than a baseline) or failed.',
            unit: 'short',
            min: 0,
            stackedBars: true,
            queries: [{ expr: q.trainingRunsPerDay, legend: '{{model}} {{result}}' }],
          }),
          timeseries({
            title: 'Last training run duration',
            description: 'Wall time of the latest run, per model.',
            unit: 's',
            min: 0,
            queries: [{ expr: METRICS.trainingDuration, legend: '{{model}}' }],
          }),
          timeseries({
            title: 'Since the last successful training',
            description: 'Time since a run last published a model.',
            unit: 's',
            min: 0,
            limit: OBJECTIVES.retrainIntervalSeconds,
            queries: [{ expr: q.sinceLastTraining, legend: '{{model}}' }],
          }),
          timeseries({
            title: 'Validation MAE: model against baselines',
            description: 'The model must beat last value and moving average to be published.',
            unit: 'percentunit',
            min: 0,
            queries: [
              {
                expr: METRICS.trainingValidationMae,
                legend: '{{model}} {{resource}} {{predictor}}',
              },
            ],
          }),
        ],
      },
      {
        row: 'Anomalies',
        panels: [
          timeseries({
            title: 'Nodes flagged anomalous',
            description: '1 while the node is flagged.',
            unit: 'short',
            min: 0,
            stackedBars: true,
            queries: [{ expr: `max by (node) (${METRICS.nodeAnomalous})`, legend: '{{node}}' }],
          }),
          timeseries({
            title: 'Anomalies flagged in the last hour',
            description: 'How often each node was flagged.',
            unit: 'short',
            min: 0,
            queries: [{ expr: q.anomaliesLastHour, legend: '{{node}}' }],
          }),
        ],
      },
    ],
  });
}
