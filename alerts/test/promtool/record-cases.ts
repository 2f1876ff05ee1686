/**
 * Values of the recording rules on a small cluster whose answers can be worked out by hand:
 * three workers and one control-plane node with two CPUs each, a few pods in every phase, and
 * steady counters. Evaluated at minute 65 so every 5-minute and 1-hour window is full.
 */
import type { RecordCase, SeriesInput } from './harness.js';

const MINUTES = 70;

interface NodeFixture {
  readonly node: string;
  readonly ip: string;
  /** Idle seconds per minute of each of the two CPUs. */
  readonly idlePerMinute: number;
  readonly memTotal: number;
  readonly memAvailable: number;
  readonly controlPlane: boolean;
}

const NODES: readonly NodeFixture[] = [
  {
    node: 'worker-1',
    ip: '10.0.1.21',
    idlePerMinute: 30,
    memTotal: 64e9,
    memAvailable: 32e9,
    controlPlane: false,
  },
  {
    node: 'worker-2',
    ip: '10.0.1.22',
    idlePerMinute: 54,
    memTotal: 64e9,
    memAvailable: 51.2e9,
    controlPlane: false,
  },
  {
    node: 'worker-3',
    ip: '10.0.1.23',
    idlePerMinute: 3,
    memTotal: 64e9,
    memAvailable: 6.4e9,
    controlPlane: false,
  },
  {
    node: 'cp-1',
    ip: '10.0.0.11',
    idlePerMinute: 6,
    memTotal: 16e9,
    memAvailable: 4e9,
    controlPlane: true,
  },
];

function steady(value: number): string {
  return `${value}x${MINUTES}`;
}

function rising(perMinute: number): string {
  return `0+${perMinute}x${MINUTES}`;
}

function nodeSeries(n: NodeFixture): SeriesInput[] {
  const instance = `${n.ip}:9100`;
  const series: SeriesInput[] = [
    { series: `node_uname_info{instance="${instance}", nodename="${n.node}"}`, values: steady(1) },
    {
      series: `node_memory_MemTotal_bytes{instance="${instance}"}`,
      values: steady(n.memTotal),
    },
    {
      series: `node_memory_MemAvailable_bytes{instance="${instance}"}`,
      values: steady(n.memAvailable),
    },
    {
      series: `kube_node_status_allocatable{node="${n.node}", resource="cpu", unit="core"}`,
      values: steady(2),
    },
    {
      series: `kube_node_status_allocatable{node="${n.node}", resource="memory", unit="byte"}`,
      values: steady(n.memTotal),
    },
  ];
  for (const cpu of ['0', '1']) {
    series.push(
      {
        series: `node_cpu_seconds_total{instance="${instance}", cpu="${cpu}", mode="idle"}`,
        values: rising(n.idlePerMinute),
      },
      {
        series: `node_cpu_seconds_total{instance="${instance}", cpu="${cpu}", mode="user"}`,
        values: rising(60 - n.idlePerMinute),
      },
    );
  }
  if (n.controlPlane) {
    series.push({
      series:
        `kube_node_spec_taint{node="${n.node}", key="node-role.kubernetes.io/control-plane", ` +
        'effect="NoSchedule"}',
      values: steady(1),
    });
  }
  return series;
}

interface PodFixture {
  readonly namespace: string;
  readonly pod: string;
  readonly node: string;
  readonly phase: 'Pending' | 'Running' | 'Succeeded';
  /** Per container: CPU cores and memory bytes requested. */
  readonly containers: ReadonlyArray<readonly [cpu: number, memory: number]>;
}

const PODS: readonly PodFixture[] = [
  {
    namespace: 'team-a',
    pod: 'api-1',
    node: 'worker-1',
    phase: 'Running',
    containers: [[1.8, 32e9]],
  },
  // Finished: its requests no longer hold capacity.
  {
    namespace: 'team-a',
    pod: 'batch-1',
    node: 'worker-1',
    phase: 'Succeeded',
    containers: [[0.5, 8e9]],
  },
  // Bound but not started yet: it holds its requests.
  {
    namespace: 'team-b',
    pod: 'web-1',
    node: 'worker-2',
    phase: 'Pending',
    containers: [[1.5, 16e9]],
  },
  // Not bound to any node: kube-state-metrics reports node="", which no node owns.
  { namespace: 'team-b', pod: 'web-2', node: '', phase: 'Pending', containers: [[4, 4e9]] },
  {
    namespace: 'team-c',
    pod: 'db-0',
    node: 'worker-3',
    phase: 'Running',
    containers: [
      [1, 24e9],
      [0.9, 24e9],
    ],
  },
];

function podSeries(p: PodFixture): SeriesInput[] {
  const series: SeriesInput[] = ['Pending', 'Running', 'Succeeded', 'Failed'].map((phase) => ({
    series: `kube_pod_status_phase{namespace="${p.namespace}", pod="${p.pod}", phase="${phase}"}`,
    values: steady(phase === p.phase ? 1 : 0),
  }));
  p.containers.forEach(([cpu, memory], i) => {
    const pod = `namespace="${p.namespace}", pod="${p.pod}"`;
    const labels = `${pod}, container="c${i}", node="${p.node}"`;
    series.push(
      {
        series: `kube_pod_container_resource_requests{${labels}, resource="cpu", unit="core"}`,
        values: steady(cpu),
      },
      {
        series: `kube_pod_container_resource_requests{${labels}, resource="memory", unit="byte"}`,
        values: steady(memory),
      },
    );
  });
  return series;
}

const DEPLOYMENTS: SeriesInput[] = [
  {
    series: 'kube_deployment_spec_replicas{namespace="team-a", deployment="api"}',
    values: steady(3),
  },
  {
    series: 'kube_deployment_status_replicas_available{namespace="team-a", deployment="api"}',
    values: steady(3),
  },
  {
    series: 'kube_deployment_spec_replicas{namespace="team-b", deployment="web"}',
    values: steady(2),
  },
  {
    series: 'kube_deployment_status_replicas_available{namespace="team-b", deployment="web"}',
    values: steady(1),
  },
];

const EXTENDER: SeriesInput[] = [
  { series: 'mlsched_extender_requests_total{verb="filter", code="200"}', values: rising(90) },
  { series: 'mlsched_extender_requests_total{verb="filter", code="500"}', values: rising(10) },
  // No failed prioritize call ever: the ratio must read 0, not "no data".
  { series: 'mlsched_extender_requests_total{verb="prioritize", code="200"}', values: rising(60) },
  ...(
    [
      ['0.01', 50],
      ['0.05', 90],
      ['0.1', 100],
      ['+Inf', 100],
    ] as const
  ).map(([le, perMinute]) => ({
    series: `mlsched_extender_request_duration_seconds_bucket{verb="filter", le="${le}"}`,
    values: rising(perMinute),
  })),
  { series: 'mlsched_prediction_absolute_error_ratio_count{resource="cpu"}', values: rising(60) },
  { series: 'mlsched_prediction_absolute_error_ratio_sum{resource="cpu"}', values: rising(3) },
];

const SCHEDULER: SeriesInput[] = [
  ...(
    [
      ['0.016', 50],
      ['0.064', 90],
      ['0.256', 98],
      ['1.024', 100],
      ['+Inf', 100],
    ] as const
  ).map(([le, perMinute]) => ({
    series:
      'scheduler_scheduling_attempt_duration_seconds_bucket{profile="mlsched-scheduler", ' +
      `result="scheduled", le="${le}"}`,
    values: rising(perMinute),
  })),
  {
    series:
      'scheduler_scheduling_attempt_duration_seconds_count{profile="mlsched-scheduler", ' +
      'result="scheduled"}',
    values: rising(100),
  },
  // The default scheduler's attempts are all slow; none of it may leak into this profile.
  {
    series:
      'scheduler_scheduling_attempt_duration_seconds_bucket{profile="default-scheduler", ' +
      'result="scheduled", le="0.256"}',
    values: steady(0),
  },
  {
    series:
      'scheduler_scheduling_attempt_duration_seconds_count{profile="default-scheduler", ' +
      'result="scheduled"}',
    values: rising(100),
  },
];

const byNode = (record: string, values: Record<string, number>) => ({
  expr: record,
  samples: Object.entries(values).map(([node, value]) => ({
    labels: `${record}{node="${node}"}`,
    value,
  })),
});

const scalar = (record: string, value: number, labels = '') => ({
  expr: record,
  samples: [{ labels: `${record}${labels}`, value }],
});

export const RECORD_CASES: readonly RecordCase[] = [
  {
    name: 'recording rules on a hand-checked cluster',
    series: [
      ...NODES.flatMap(nodeSeries),
      ...PODS.flatMap(podSeries),
      ...DEPLOYMENTS,
      ...EXTENDER,
      ...SCHEDULER,
    ],
    evalMinute: 65,
    expect: [
      byNode('node:mlsched_node_cpu_cores:count', {
        'worker-1': 2,
        'worker-2': 2,
        'worker-3': 2,
        'cp-1': 2,
      }),
      // Two CPUs, each (60 − idle)/60 busy.
      byNode('node:mlsched_node_cpu_busy_cores:rate5m', {
        'worker-1': 1,
        'worker-2': 0.2,
        'worker-3': 1.9,
        'cp-1': 1.8,
      }),
      byNode('node:mlsched_node_cpu_utilisation:ratio_rate5m', {
        'worker-1': 0.5,
        'worker-2': 0.1,
        'worker-3': 0.95,
        'cp-1': 0.9,
      }),
      byNode('node:mlsched_node_memory_utilisation:ratio', {
        'worker-1': 0.5,
        'worker-2': 0.2,
        'worker-3': 0.9,
        'cp-1': 0.75,
      }),
      // batch-1 (Succeeded) and web-2 (unbound) do not count; cp-1 has no pods and reads 0.
      byNode('node:mlsched_node_cpu_requested:cores', {
        'worker-1': 1.8,
        'worker-2': 1.5,
        'worker-3': 1.9,
        'cp-1': 0,
      }),
      byNode('node:mlsched_node_cpu_requested:ratio', {
        'worker-1': 0.9,
        'worker-2': 0.75,
        'worker-3': 0.95,
        'cp-1': 0,
      }),
      byNode('node:mlsched_node_memory_requested:ratio', {
        'worker-1': 0.5,
        'worker-2': 0.25,
        'worker-3': 0.75,
        'cp-1': 0,
      }),
      // cp-1 is at 90 % too, but it is a control-plane node.
      byNode('node:mlsched_node_cpu_hot:bool', { 'worker-1': 0, 'worker-2': 0, 'worker-3': 1 }),
      // Population standard deviation of (0.5, 0.1, 0.95) and of (0.5, 0.2, 0.9).
      scalar('cluster:mlsched_worker_cpu_utilisation:stddev', 0.3472111109333276),
      scalar('cluster:mlsched_worker_memory_utilisation:stddev', 0.28674417556808757),
      // worker-3 was hot at every evaluation of the last hour, the others never.
      scalar('cluster:mlsched_hot_node_seconds:sum1h', 3600),
      {
        expr: 'verb_quantile:mlsched_extender_request_duration_seconds:histogram_quantile5m',
        samples: [
          // 50 of 100 calls under 10 ms, 90 under 50 ms, all under 100 ms.
          ['0.5', 0.01],
          ['0.9', 0.05],
          ['0.99', 0.095],
        ].map(([quantile, value]) => ({
          labels:
            'verb_quantile:mlsched_extender_request_duration_seconds:histogram_quantile5m' +
            `{verb="filter", quantile="${quantile}"}`,
          value: Number(value),
        })),
      },
      {
        expr: 'verb:mlsched_extender_request_errors:ratio_rate5m',
        samples: [
          {
            labels: 'verb:mlsched_extender_request_errors:ratio_rate5m{verb="filter"}',
            value: 0.1,
          },
          {
            labels: 'verb:mlsched_extender_request_errors:ratio_rate5m{verb="prioritize"}',
            value: 0,
          },
        ],
      },
      scalar('resource:mlsched_prediction_absolute_error_ratio:mean1h', 0.05, '{resource="cpu"}'),
      {
        expr: 'profile_quantile:scheduler_scheduling_attempt_duration_seconds:histogram_quantile5m',
        samples: [
          // 50 % under 16 ms, 90 % under 64 ms, 98 % under 256 ms, all under 1.024 s.
          ['0.5', 0.016],
          ['0.9', 0.064],
          ['0.99', 0.64],
        ].map(([quantile, value]) => ({
          labels:
            'profile_quantile:scheduler_scheduling_attempt_duration_seconds:histogram_quantile5m' +
            `{profile="mlsched-scheduler", quantile="${quantile}"}`,
          value: Number(value),
        })),
      },
      scalar(
        'profile:mlsched_scheduling_attempts_within_objective:ratio_rate1h',
        0.98,
        '{profile="mlsched-scheduler"}',
      ),
      scalar('cluster:mlsched_scheduling_latency_objective:ratio', 0.99),
      // Busy CPUs of the workers (1 + 0.2 + 1.9) over their six CPUs.
      scalar('cluster:mlsched_worker_cpu_utilisation:ratio', 0.5166666666666667),
      scalar('cluster:mlsched_cpu_utilisation_target:ratio', 0.7),
      // 4 of the 5 replicas asked for are available.
      scalar('cluster:mlsched_workload_availability:ratio', 0.8),
      scalar('cluster:mlsched_workload_availability_objective:ratio', 0.995),
      // Requested 1.8 + 1.5 + 1.9 = 5.2 cores; the load needs 3.1 / 0.7 = 4.43 at the target.
      scalar('cluster:mlsched_capacity_saved:cores', 0.7714285714285714),
      scalar('cluster:mlsched_capacity_saved:ratio', 0.12857142857142856),
    ],
  },
];
