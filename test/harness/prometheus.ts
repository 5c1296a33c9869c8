// Reads /metrics with a real Prometheus text-format parser (parse-prometheus-text-format, a port of the
// Prometheus Python client's parser), so a malformed line fails the test instead of being skipped.
import { createRequire } from 'node:module';

export interface MetricFamily {
  name: string;
  help: string;
  type: 'COUNTER' | 'GAUGE' | 'HISTOGRAM' | 'SUMMARY' | 'UNTYPED';
  metrics: { value?: string; labels?: Record<string, string>; buckets?: Record<string, string> }[];
}

const parse = createRequire(import.meta.url)('parse-prometheus-text-format') as (text: string) => MetricFamily[];

export function parseMetrics(text: string): Map<string, MetricFamily> {
  return new Map(parse(text).map((f) => [f.name, f]));
}

/** The value of the one sample of `name` whose labels include `labels`; undefined when there is none. */
export function sample(families: Map<string, MetricFamily>, name: string, labels: Record<string, string> = {}): number | undefined {
  const family = families.get(name);
  const m = family?.metrics.find((x) => Object.entries(labels).every(([k, v]) => x.labels?.[k] === v));
  return m?.value === undefined ? undefined : Number(m.value);
}
