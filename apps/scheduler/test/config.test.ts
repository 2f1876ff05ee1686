import { ConfigError, DEFAULT_CPU_QUERY, DEFAULT_MEMORY_QUERY, loadConfig } from '../src/config.js';

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return [...(err as ConfigError).problems];
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('has working defaults outside a cluster', () => {
    const config = loadConfig({});
    expect(config).toEqual({
      port: 8888,
      host: '0.0.0.0',
      logLevel: 'info',
      prometheusUrl: undefined,
      cpuQuery: DEFAULT_CPU_QUERY,
      memoryQuery: DEFAULT_MEMORY_QUERY,
      refreshSeconds: 15,
      staleSeconds: 180,
      historySeconds: 1800,
      modelPath: undefined,
      targetUtilization: 0.7,
      hotThreshold: 0.85,
      remediationThreshold: 0.9,
      defaultPodCpuMillicores: 100,
      defaultPodMemoryBytes: 200 * 1024 * 1024,
      kubeWatchPods: false,
      bodyLimitBytes: 32 * 1024 * 1024,
    });
    expect(DEFAULT_CPU_QUERY).toContain('node_cpu_seconds_total{mode="idle"}');
  });

  it('watches pods by default inside a cluster, and reads overrides', () => {
    const config = loadConfig({
      KUBERNETES_SERVICE_HOST: '10.96.0.1',
      PORT: '9443',
      PROMETHEUS_URL: 'http://prometheus.monitoring:9090/',
      DEFAULT_POD_MEMORY_BYTES: '1Gi',
      HOT_THRESHOLD: '0.8',
    });
    expect(config.kubeWatchPods).toBe(true);
    expect(config.port).toBe(9443);
    expect(config.prometheusUrl).toBe('http://prometheus.monitoring:9090');
    expect(config.defaultPodMemoryBytes).toBe(1024 ** 3);
    expect(config.hotThreshold).toBe(0.8);
    expect(
      loadConfig({ KUBERNETES_SERVICE_HOST: 'x', KUBE_WATCH_PODS: 'false' }).kubeWatchPods,
    ).toBe(false);
  });

  it('X08: refuses a filter threshold above the remediation threshold, naming both', () => {
    const found = problems({ HOT_THRESHOLD: '0.95', REMEDIATION_THRESHOLD: '0.65' });
    expect(found).toHaveLength(1);
    expect(found[0]).toContain('HOT_THRESHOLD (0.95)');
    expect(found[0]).toContain('REMEDIATION_THRESHOLD (0.65)');
    // Equal thresholds are allowed: the filter then rejects exactly what remediation moves.
    expect(loadConfig({ HOT_THRESHOLD: '0.9', REMEDIATION_THRESHOLD: '0.9' }).hotThreshold).toBe(
      0.9,
    );
  });

  it('names each setting that cannot work, all at once', () => {
    const found = problems({
      PORT: '70000',
      LOG_LEVEL: 'verbose',
      PROMETHEUS_URL: 'prometheus:9090',
      METRICS_REFRESH_SECONDS: 'soon',
      TARGET_UTILIZATION: '1.2',
      DEFAULT_POD_MEMORY_BYTES: 'lots',
      KUBE_WATCH_PODS: 'maybe',
      BODY_LIMIT_BYTES: '100',
    });
    const text = found.join('\n');
    for (const name of [
      'PORT',
      'LOG_LEVEL',
      'PROMETHEUS_URL',
      'METRICS_REFRESH_SECONDS',
      'TARGET_UTILIZATION',
      'DEFAULT_POD_MEMORY_BYTES',
      'KUBE_WATCH_PODS',
      'BODY_LIMIT_BYTES',
    ]) {
      expect(text).toContain(name);
    }
  });

  it('refuses a staleness limit that every refresh period would trip, naming both settings', () => {
    const [problem] = problems({ METRICS_REFRESH_SECONDS: '60', METRICS_STALE_SECONDS: '30' });
    expect(problem).toContain('METRICS_STALE_SECONDS (30)');
    expect(problem).toContain('METRICS_REFRESH_SECONDS (60)');
  });

  it('refuses a target at or above the hot threshold', () => {
    const [problem] = problems({ TARGET_UTILIZATION: '0.9', HOT_THRESHOLD: '0.85' });
    expect(problem).toContain('TARGET_UTILIZATION (0.9)');
    expect(problem).toContain('HOT_THRESHOLD (0.85)');
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ PROMETHEUS_URL: '', PORT: ' ' }).prometheusUrl).toBeUndefined();
  });
});
