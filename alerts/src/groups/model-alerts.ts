import { duration, OBJECTIVES } from '../objectives.js';
import { alertRule } from '../rules.js';
import type { ObservabilityTargets } from '../targets.js';
import type { PrometheusRuleGroup } from '../types.js';
import * as q from './queries.js';

/** The model's life cycle: trained, published, loaded, and still right about the cluster. */
export function modelAlerts(t: ObservabilityTargets): PrometheusRuleGroup {
  const retrain = duration(OBJECTIVES.retrainIntervalSeconds);
  return {
    name: 'mlsched.model.alerts',
    rules: [
      alertRule({
        alert: 'MlschedModelStale',
        expr: q.modelStale,
        for: '30m',
        severity: 'warning',
        summary: 'The extender serves an old model.',
        description:
          'Model {{ $labels.version }} served by the extender was trained ' +
          `{{ $value | humanizeDuration }} ago. The trainer runs every ${retrain}, so at least ` +
          'two runs in a row have not reached the extender.',
      }),
      alertRule({
        alert: 'MlschedTrainingFailed',
        expr: q.trainingFailed,
        for: '5m',
        severity: 'warning',
        summary: 'The last training run published no model.',
        description:
          'The last training run of model {{ $labels.model }} published no model; the last ' +
          'successful run ended {{ $value | humanizeDuration }} before it.',
      }),
      alertRule({
        alert: 'MlschedTrainerJobFailed',
        expr: q.trainerJobFailed(t),
        for: '5m',
        severity: 'warning',
        summary: 'A trainer Job failed.',
        description:
          'Job {{ $labels.namespace }}/{{ $labels.job_name }} failed (Failed condition = ' +
          '{{ $value }}): the trainer crashed, ran out of memory or hit its deadline.',
      }),
      alertRule({
        alert: 'MlschedPredictionErrorDrift',
        expr: q.predictionErrorDrift,
        for: '30m',
        severity: 'warning',
        summary: 'Live prediction error has drifted above validation error.',
        description:
          "Over the last hour the model's {{ $labels.resource }} forecasts were off by " +
          '{{ $value | humanizePercentage }} of node capacity on average, more than ' +
          `${OBJECTIVES.predictionErrorDriftFactor} times ` +
          'the validation error the trainer measured.',
      }),
    ],
  };
}
