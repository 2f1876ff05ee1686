import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  ConfigError,
  DEFAULT_CPU_QUERY,
  DEFAULT_FRESHNESS_QUERY,
  DEFAULT_MEMORY_QUERY,
  loadConfig,
} from '../src/config.js';

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
      freshnessQuery: DEFAULT_FRESHNESS_QUERY,
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
      anomaly: {
        enabled: true,
        zThreshold: 6,
        flagSamples: 4,
        clearSamples: 8,
        windowSamples: 40,
        minDeviation: 0.04,
        cpuSaturation: 0.99,
        saturationSamples: 20,
      },
      trainerReports: [],
      trainerReportsRefreshSeconds: 60,
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

  it('reads the anomaly settings', () => {
    const config = loadConfig({
      ANOMALY_DETECTION: 'false',
      ANOMALY_Z_THRESHOLD: '8',
      ANOMALY_FLAG_SAMPLES: '3',
      ANOMALY_CLEAR_SAMPLES: '3',
      ANOMALY_WINDOW_SAMPLES: '7',
      ANOMALY_MIN_DEVIATION: '0.05',
      ANOMALY_CPU_SATURATION: '0.97',
      ANOMALY_SATURATION_SAMPLES: '10',
    });
    expect(config.anomaly).toEqual({
      enabled: false,
      zThreshold: 8,
      flagSamples: 3,
      clearSamples: 3,
      windowSamples: 7,
      minDeviation: 0.05,
      cpuSaturation: 0.97,
      saturationSamples: 10,
    });
  });

  it('refuses a flag that clears faster than it is raised, naming both settings', () => {
    expect(problems({ ANOMALY_FLAG_SAMPLES: '6', ANOMALY_CLEAR_SAMPLES: '5' })).toEqual([
      'ANOMALY_CLEAR_SAMPLES (5) must be at least ANOMALY_FLAG_SAMPLES (6): a flag would clear ' +
        'faster than it is raised, and nodes would flap',
    ]);
  });

  it('refuses a window a sustained step would fill before it is flagged', () => {
    expect(problems({ ANOMALY_FLAG_SAMPLES: '5', ANOMALY_WINDOW_SAMPLES: '10' })).toEqual([
      'ANOMALY_WINDOW_SAMPLES (10) must exceed twice ANOMALY_FLAG_SAMPLES (5): a sustained ' +
        'step would become normal before it could be flagged',
    ]);
    expect(loadConfig({ ANOMALY_FLAG_SAMPLES: '5', ANOMALY_WINDOW_SAMPLES: '11' }).anomaly).toEqual(
      expect.objectContaining({ flagSamples: 5, windowSamples: 11 }),
    );
  });

  it('refuses a saturation level the hot filter still accepts', () => {
    expect(problems({ HOT_THRESHOLD: '0.85', ANOMALY_CPU_SATURATION: '0.8' })).toEqual([
      'ANOMALY_CPU_SATURATION (0.8) must exceed HOT_THRESHOLD (0.85): load the filter accepts ' +
        'cannot be an anomaly',
    ]);
  });

  it('names each anomaly setting out of range, all at once', () => {
    const found = problems({
      ANOMALY_DETECTION: 'sometimes',
      ANOMALY_Z_THRESHOLD: '2',
      ANOMALY_FLAG_SAMPLES: '1',
      ANOMALY_MIN_DEVIATION: '0',
      ANOMALY_SATURATION_SAMPLES: 'NaN',
    });

    expect(found).toEqual([
      "ANOMALY_DETECTION must be true or false, got 'sometimes'",
      'ANOMALY_Z_THRESHOLD must be from 3 to 100, got 2',
      'ANOMALY_FLAG_SAMPLES must be an integer from 2 to 1000, got 1',
      'ANOMALY_MIN_DEVIATION must be a fraction in (0, 1), got 0',
      "ANOMALY_SATURATION_SAMPLES must be a decimal integer from 1 to 10000, got 'NaN'",
    ]);
  });

  it('refuses a PROMETHEUS_URL with credentials, without repeating them', () => {
    const withPassword = problems({ PROMETHEUS_URL: 'http://admin:s3cret@prom:9090' });
    const withToken = problems({ PROMETHEUS_URL: 'https://tok3n@prom:9090/' });
    const plain = loadConfig({ PROMETHEUS_URL: 'http://prom:9090' });

    expect(withPassword).toEqual([
      "PROMETHEUS_URL must not contain credentials (got 'http://***@prom:9090'): " +
        'put an authenticating proxy in front of Prometheus or read a token from a file',
    ]);
    expect(withToken).toHaveLength(1);
    expect(withToken[0]).toMatch(/^PROMETHEUS_URL must not contain credentials/);
    expect(withToken[0]).not.toContain('tok3n');
    expect(plain.prometheusUrl).toBe('http://prom:9090');
  });

  it('bounds METRICS_REFRESH_SECONDS to 1..3600 and takes integers in decimal only', () => {
    const found = problems;

    expect(found({ METRICS_REFRESH_SECONDS: '0.001' })).toEqual([
      'METRICS_REFRESH_SECONDS must be from 1 to 3600 seconds, got 0.001',
    ]);
    expect(
      found({ METRICS_REFRESH_SECONDS: '3000000', METRICS_STALE_SECONDS: '4000000' }),
    ).toContain('METRICS_REFRESH_SECONDS must be from 1 to 3600 seconds, got 3000000');
    expect(found({ PORT: '0x10' })).toEqual([
      "PORT must be a decimal integer from 0 to 65535, got '0x10'",
    ]);
    expect(found({ PORT: '1e3' })).toEqual([
      "PORT must be a decimal integer from 0 to 65535, got '1e3'",
    ]);
    expect(found({ ANOMALY_FLAG_SAMPLES: '4.0' })).toEqual([
      "ANOMALY_FLAG_SAMPLES must be a decimal integer from 2 to 1000, got '4.0'",
    ]);
    expect(loadConfig({ PORT: '1000', METRICS_REFRESH_SECONDS: '2.5' })).toMatchObject({
      port: 1000,
      refreshSeconds: 2.5,
    });
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ PROMETHEUS_URL: '', PORT: ' ' }).prometheusUrl).toBeUndefined();
  });
});

describe('README configuration table', () => {
  it('lists every variable loadConfig reads, and nothing it does not', () => {
    // Every name loadConfig looks up, recorded as it reads them.
    const read = new Set<string>();
    const env = new Proxy({} as Record<string, string | undefined>, {
      get(_target, name) {
        if (typeof name === 'string') read.add(name);
        return undefined;
      },
    });
    loadConfig(env);
    // Set by Kubernetes in every pod; only its presence is used, to pick a default.
    read.delete('KUBERNETES_SERVICE_HOST');
    const readme = readFileSync(resolve(__dirname, '..', 'README.md'), 'utf8');
    const configuration = readme.slice(
      readme.indexOf('## Configuration'),
      readme.indexOf('\n## ', readme.indexOf('## Configuration') + 1),
    );
    const listed = [...configuration.matchAll(/^\| `([A-Z][A-Z0-9_]+)` \|/gm)].map((m) => m[1]);

    expect(read.size).toBeGreaterThan(20);
    expect(listed.sort()).toEqual([...read].sort());
  });
});
