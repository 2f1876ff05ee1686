import { OBJECTIVES, percent, RECORDS, type ObservabilityTargets } from '@mlsched/alerts';

import { buildDashboard } from './layout.js';
import { modelAgeStat, stat, timeseries } from './panels.js';
import * as q from './queries.js';
import { DASHBOARD_TITLES, DASHBOARD_UIDS } from './uids.js';

const MET: Readonly<Record<string, readonly [string, string]>> = {
  '1': ['met', 'green'],
  '0': ['missed', 'red'],
};

/** The targets operators were promised and whether they are met, then the health of each part. */
export function overviewDashboard(t: ObservabilityTargets): object {
  const target = percent(OBJECTIVES.cpuUtilisationTarget);
  const availability = percent(OBJECTIVES.workloadAvailabilityRatio);
  const latencyMs = Number(OBJECTIVES.schedulingLatencyBucket) * 1000;
  const latencyShare = percent(OBJECTIVES.schedulingLatencyRatio);

  return buildDashboard({
    uid: DASHBOARD_UIDS.overview,
    title: DASHBOARD_TITLES.overview,
    description: 'Objectives of the ML scheduler and whether they are met.',
    sections: [
      {
        row: 'Objectives',
        panels: [
          stat({
            title: 'Objectives met',
            description:
              `Worker CPU at or under its ${target} target; workload availability at least ` +
              `${availability}; ${latencyShare} of scheduling attempts within ${latencyMs} ms ` +
              `over the last hour; no worker above ${percent(OBJECTIVES.hotNodeCpuRatio)} CPU.`,
            unit: 'none',
            width: 24,
            height: 4,
            showNames: true,
            valueText: MET,
            queries: [
              { expr: q.objectiveMet.cpu, legend: `CPU ≤ ${target}` },
              { expr: q.objectiveMet.availability, legend: `Availability ≥ ${availability}` },
              {
                expr: q.objectiveMet.schedulingLatency,
                legend: `${latencyShare} of attempts ≤ ${latencyMs} ms`,
              },
              { expr: q.objectiveMet.noHotWorker, legend: 'No hot worker' },
            ],
          }),
          stat({
            title: 'Worker CPU utilisation',
            description: `Busy CPUs over all worker CPUs (5-minute rate). Target: ${target}.`,
            unit: 'percentunit',
            width: 6,
            height: 5,
            steps: [
              'green',
              [OBJECTIVES.cpuUtilisationTarget, 'orange'],
              [OBJECTIVES.hotNodeCpuRatio, 'red'],
            ],
            queries: [{ expr: RECORDS.clusterCpuUtilisation, legend: 'Workers' }],
          }),
          stat({
            title: 'Workload availability',
            description:
              'Available Deployment replicas over replicas asked for. ' +
              `Objective: ${availability}.`,
            unit: 'percentunit',
            width: 6,
            height: 5,
            steps: ['red', [OBJECTIVES.workloadAvailabilityRatio, 'green']],
            queries: [{ expr: RECORDS.workloadAvailability, legend: 'Available' }],
          }),
          stat({
            title: `Scheduling attempts within ${latencyMs} ms (1 h)`,
            description:
              `Share of pods scheduled by ${t.schedulerName} whose attempt took at most ` +
              `${latencyMs} ms, over the last hour. Objective: ${latencyShare}.`,
            unit: 'percentunit',
            width: 6,
            height: 5,
            steps: ['red', [OBJECTIVES.schedulingLatencyRatio, 'green']],
            queries: [{ expr: RECORDS.schedulingWithinObjective, legend: '{{profile}}' }],
          }),
          stat({
            title: 'Capacity saved (estimate)',
            description:
              'CPU cores the pods request beyond what their actual load needs at the ' +
              `${target} target: max(0, Σ requested − Σ busy / ` +
              `${OBJECTIVES.cpuUtilisationTarget}), over the workers. Realising it means ` +
              'lowering requests or overcommitting.',
            unit: 'short',
            width: 6,
            height: 5,
            queries: [
              { expr: RECORDS.capacitySavedCores, legend: 'Cores' },
              { expr: RECORDS.capacitySavedRatio, legend: 'Share of worker CPU' },
            ],
            showNames: true,
          }),
        ],
      },
      {
        row: 'Objectives over time',
        panels: [
          timeseries({
            title: 'Worker CPU utilisation against its target',
            description: `Busy CPUs over all worker CPUs; the dashed line is the ${target} target.`,
            unit: 'percentunit',
            min: 0,
            max: 1,
            limit: OBJECTIVES.cpuUtilisationTarget,
            queries: [
              { expr: RECORDS.clusterCpuUtilisation, legend: 'Utilisation' },
              { expr: RECORDS.clusterCpuTarget, legend: 'Target' },
            ],
          }),
          timeseries({
            title: 'Workload availability against its objective',
            description: `Available over desired Deployment replicas; objective ${availability}.`,
            unit: 'percentunit',
            max: 1,
            queries: [
              { expr: RECORDS.workloadAvailability, legend: 'Availability' },
              { expr: RECORDS.workloadAvailabilityObjective, legend: 'Objective' },
            ],
          }),
          timeseries({
            title: 'Scheduling latency against its objective',
            description:
              `Share of scheduled attempts within ${latencyMs} ms over the last hour; ` +
              `objective ${latencyShare}.`,
            unit: 'percentunit',
            max: 1,
            queries: [
              { expr: RECORDS.schedulingWithinObjective, legend: '{{profile}}' },
              { expr: RECORDS.schedulingObjective, legend: 'Objective' },
            ],
          }),
          timeseries({
            title: 'Capacity saved (estimate, cores)',
            description: 'See "Capacity saved (estimate)" for the formula.',
            unit: 'short',
            min: 0,
            queries: [{ expr: RECORDS.capacitySavedCores, legend: 'Cores' }],
          }),
        ],
      },
      {
        row: 'Health',
        panels: [
          stat({
            title: 'Firing alerts',
            description: 'Alerts of this project firing now. Each has a runbook named after it.',
            unit: 'short',
            width: 6,
            height: 4,
            steps: ['green', [1, 'red']],
            queries: [{ expr: q.firingAlerts(), legend: 'Firing' }],
          }),
          stat({
            title: 'Extender targets up',
            description: `Targets of job ${t.extenderJob} answering scrapes.`,
            unit: 'short',
            width: 6,
            height: 4,
            steps: ['red', [1, 'green']],
            queries: [{ expr: q.extenderTargetsUp(t), legend: 'Up' }],
          }),
          stat({
            title: 'Redis',
            description: `redis_up from job ${t.redisJob}: 1 when the exporter reaches Redis.`,
            unit: 'none',
            width: 6,
            height: 4,
            valueText: { '1': ['up', 'green'], '0': ['down', 'red'] },
            queries: [{ expr: `max(redis_up{job="${t.redisJob}"})`, legend: 'Redis' }],
          }),
          modelAgeStat(6),
        ],
      },
    ],
  });
}
