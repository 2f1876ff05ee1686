import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import {
  ALIBABA_2018_MACHINE_USAGE_FILE,
  ALIBABA_2018_TIME_OFFSET_SECONDS,
  BITBRAINS_RND_FILE,
  generateSyntheticSeries,
  parseDecimal,
  readAlibaba2018MachineUsage,
  readBitbrainsRnd,
} from '../src/index';

const dataDir =
  process.env.MLSCHED_DATA_DIR ?? resolve(__dirname, '..', '..', '..', '..', 'shared', 'data');
const alibabaFile = join(dataDir, 'alibaba-v2018-machines', ALIBABA_2018_MACHINE_USAGE_FILE);
const bitbrainsFile = join(dataDir, 'bitbrains-rnd', BITBRAINS_RND_FILE);

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'traces-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function gz(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, gzipSync(text));
  return file;
}

describe('parseDecimal', () => {
  it('reads Java scientific notation and refuses what Number() would read as 0 or hex', () => {
    expect(parseDecimal('2.0948992E7')).toBe(20_948_992);
    expect(parseDecimal('1.5e-3')).toBe(0.0015);
    expect(parseDecimal('')).toBeUndefined();
    expect(parseDecimal('  ')).toBeUndefined();
    expect(parseDecimal('0x10')).toBeNaN();
    expect(parseDecimal('NaN')).toBeNaN();
    expect(parseDecimal('12abc')).toBeNaN();
  });
});

describe('readAlibaba2018MachineUsage on an inline fixture', () => {
  const header =
    'machine_id,time_stamp,cpu_util_percent,mem_util_percent,mem_gps,mkpi,net_in,net_out,disk_io_percent';
  const rows = [
    'm_1,0,41,92,,,43.04,33.08,5',
    'm_1,60,43,90,,,43.05,33.08,-1', // disk invalid: kept, noted
    'm_1,60,44,90,,,43.05,33.08,3', // repeated timestamp
    'm_1,30,44,90,,,43.05,33.08,3', // goes back in time
    'm_1,130,,90,,,43.06,33.09,3', // empty cpu: not 0 %
    'm_1,190,abc,90,,,43.06,33.09,3',
    'm_1,250,101,90,,,43.06,33.09,3',
    'm_1,310,50,-3,,,43.06,33.09,101', // memory out of range
    'm_1,370,50,91,,,43.07,33.10',
    'm_2,5,10,50,,,1,1,2',
    ',10,10,50,,,1,1,2',
    'm_2,x,10,50,,,1,1,2',
    'm_2,65,12.5,51,1,2,1,1,101', // disk invalid: kept, noted
  ];

  it('turns integer percent into fractions, offsets time and counts every bad row by reason', async () => {
    const file = gz('usage.csv.gz', [header, ...rows].join('\n'));

    const { series, report } = await readAlibaba2018MachineUsage(file);

    expect([...series.keys()]).toEqual(['m_1', 'm_2']);
    expect(series.get('m_1')).toEqual([
      { t: ALIBABA_2018_TIME_OFFSET_SECONDS + 0, cpu: 0.41, mem: 0.92 },
      { t: ALIBABA_2018_TIME_OFFSET_SECONDS + 60, cpu: 0.43, mem: 0.9 },
    ]);
    expect(series.get('m_2')).toEqual([
      { t: ALIBABA_2018_TIME_OFFSET_SECONDS + 5, cpu: 0.1, mem: 0.5 },
      { t: ALIBABA_2018_TIME_OFFSET_SECONDS + 65, cpu: 0.125, mem: 0.51 },
    ]);
    expect(report.skipped).toEqual({
      duplicate_timestamp: 1,
      time_out_of_order: 1,
      cpu_missing: 1,
      cpu_not_numeric: 1,
      cpu_out_of_range: 1,
      mem_out_of_range: 1,
      column_count: 1,
      missing_machine_id: 1,
      bad_timestamp: 1,
    });
    expect(report.notes).toEqual({ disk_io_invalid: 2 });
    expect(report.rowsRead).toBe(rows.length);
    expect(report.samples + Object.values(report.skipped).reduce((a, b) => a + b, 0)).toBe(
      rows.length,
    );
  });

  it('reads the original header-less layout from a stream, with limits', async () => {
    const stream = Readable.from([rows.join('\n')]);

    const { series, report } = await readAlibaba2018MachineUsage(stream, {
      maxSeries: 1,
      maxRowsPerSeries: 1,
      timeOffsetSeconds: 0,
    });

    expect([...series.entries()]).toEqual([['m_1', [{ t: 0, cpu: 0.41, mem: 0.92 }]]]);
    expect(report.truncated).toBe(true);
    // m_1 has nine rows: one kept, one too short (checked first), seven past the limit.
    expect(report.skipped).toEqual({ series_row_limit: 7, column_count: 1 });
  });

  it('fails with the path when the file does not exist', async () => {
    await expect(readAlibaba2018MachineUsage(join(dir, 'absent.csv.gz'))).rejects.toThrow(
      /ENOENT.*absent\.csv\.gz/,
    );
  });
});

describe('readBitbrainsRnd on an inline fixture', () => {
  const header =
    'vm_id,timestamp,cpu_cores,cpu_capacity_provisioned_mhz,cpu_usage_mhz,cpu_usage_pct,' +
    'mem_capacity_provisioned_kb,mem_usage_kb,disk_read_kbps,disk_write_kbps,net_rx_kbps,net_tx_kbps';
  const rows = [
    '1,1372629804,2,5851.9989,87.7799835,1.5,8218624.0,1034592.8,160.8,21.7,0.26,1.46',
    '1,1372630104,2,5851.9989,2.925999E3,50.0,8218624.0,4.109312E6,0.0,2.3,0.2,1.0',
    '1,1372630104,2,5851.9989,100.0,1.7,8218624.0,4109312.0,0.0,2.3,0.2,1.0', // repeated timestamp
    '1,1372630404,0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0', // not reporting: not 0 % load
    '1,1372630704,2,5851.9989,,0,8218624.0,1.0,0,0,0,0',
    '1,1372631004,2,5851.9989,-1,0,8218624.0,1.0,0,0,0,0',
    '1,1372631304,8,20799.99,0.0,0.0,301056.0,1.572864E7,0,0,0,0', // memory 52× capacity
    '2,1372629900,4,10000,2500,25,1000,250,0,0,0,0',
    '2,1372630200,4,10000,3000,30,1000,300,0,0,0', // a column short
  ];

  it('computes usage over provisioned capacity and accounts for every skipped row', async () => {
    const file = gz('rnd.csv.gz', [header, ...rows].join('\n'));

    const { series, report } = await readBitbrainsRnd(file);

    expect(series.get('1')).toEqual([
      { t: 1372629804, cpu: 87.7799835 / 5851.9989, mem: 1034592.8 / 8218624 },
      { t: 1372630104, cpu: 2925.999 / 5851.9989, mem: 0.5 },
    ]);
    expect(series.get('2')).toEqual([{ t: 1372629900, cpu: 0.25, mem: 0.25 }]);
    expect(report.skipped).toEqual({
      duplicate_timestamp: 1,
      not_reporting: 1,
      cpu_usage_mhz_missing: 1,
      negative_usage: 1,
      utilisation_out_of_range: 1,
      column_count: 1,
    });
    expect(report.samples).toBe(3);
    expect(report.rowsRead).toBe(rows.length);
  });

  it('refuses a file without the columns it needs, naming them', async () => {
    const file = gz('bad-header.csv.gz', 'vm_id,timestamp,cpu_cores\n1,2,3\n');

    await expect(readBitbrainsRnd(file)).rejects.toThrow(
      /cpu_capacity_provisioned_mhz, cpu_usage_mhz/,
    );
  });
});

describe('the shared trace files', () => {
  const alibaba = existsSync(alibabaFile) ? it : it.skip;
  const bitbrains = existsSync(bitbrainsFile) ? it : it.skip;

  alibaba(
    'Alibaba: 71,294 rows of 11 machines, none dropped, 11 invalid disk values noted',
    async () => {
      const { series, report } = await readAlibaba2018MachineUsage(alibabaFile);

      expect(report).toMatchObject({
        rowsRead: 71_294,
        samples: 71_294,
        series: 11,
        skipped: {},
        truncated: false,
      });
      expect(report.notes).toEqual({ disk_io_invalid: 11 });
      // m_1932 is partial: it starts at 386,640 s (PROVENANCE.md).
      const m1932 = series.get('m_1932') ?? [];
      expect(m1932[0]?.t).toBe(ALIBABA_2018_TIME_OFFSET_SECONDS + 386_640);
      expect(m1932[0]?.cpu).toBe(0.41);
      const all = [...series.values()].flat();
      const outside = all.filter((s) => !(s.cpu >= 0 && s.cpu <= 1 && s.mem >= 0 && s.mem <= 1));
      expect(outside).toEqual([]);
    },
  );

  bitbrains(
    'Bitbrains: 832,073 rows of 100 VMs; the 53,304 not-reporting rows are skipped, not read as idle',
    async () => {
      const { series, report } = await readBitbrainsRnd(bitbrainsFile);

      expect(report.rowsRead).toBe(832_073);
      expect(report.series).toBe(100);
      expect(report.skipped.not_reporting).toBe(53_304);
      expect(report.samples + Object.values(report.skipped).reduce((a, b) => a + b, 0)).toBe(
        832_073,
      );
      const vm1 = series.get('1') ?? [];
      expect(vm1[0]).toEqual({
        t: 1372629804,
        cpu: 87.7799835 / 5851.9989,
        mem: 1034592.8 / 8218624,
      });
      const notIncreasing = vm1.filter((s, i) => i > 0 && s.t <= vm1[i - 1]!.t);
      expect(notIncreasing).toEqual([]);
    },
    30_000,
  );
});

describe('generateSyntheticSeries', () => {
  it('is deterministic per seed, bounded and evenly spaced', () => {
    const a = generateSyntheticSeries({
      seed: 3,
      nodes: 2,
      durationSeconds: 86_400,
      stepSeconds: 60,
    });
    const b = generateSyntheticSeries({
      seed: 3,
      nodes: 2,
      durationSeconds: 86_400,
      stepSeconds: 60,
    });
    const c = generateSyntheticSeries({
      seed: 4,
      nodes: 2,
      durationSeconds: 86_400,
      stepSeconds: 60,
    });

    expect([...a.keys()]).toEqual(['synthetic-01', 'synthetic-02']);
    expect(a).toEqual(b);
    expect(a.get('synthetic-01')).not.toEqual(c.get('synthetic-01'));
    const s = a.get('synthetic-01') ?? [];
    expect(s).toHaveLength(1440);
    expect(s[1]!.t - s[0]!.t).toBe(60);
    const cpus = s.map((x) => x.cpu);
    expect(Math.min(...cpus)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...cpus)).toBeLessThanOrEqual(1);
    // A daily swing, not a flat line.
    expect(Math.max(...cpus) - Math.min(...cpus)).toBeGreaterThan(0.15);
  });

  it('refuses a non-positive step', () => {
    expect(() => generateSyntheticSeries({ stepSeconds: 0 })).toThrow(/stepSeconds/);
  });
});
