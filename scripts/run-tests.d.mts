// Types of the runner's pure parts, for its own tests (test/scripts/run-tests.test.ts).
export interface ReportEvent {
  kind: string;
  suite: string;
  name: string;
  via?: string;
  error?: string;
}
export interface Verdict {
  ok: boolean;
  passed: number;
  failed: number;
  skipped: string[];
  reasons: string[];
}
export function judge(run: {
  code: number | null;
  signal: string | null;
  timedOut: boolean;
  timeoutSecs: number;
  events: ReportEvent[];
}): Verdict;
export function timeoutSecsFor(source: string, defaultSecs: number): number;
