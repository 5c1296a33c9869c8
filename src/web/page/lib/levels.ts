// Input meter arithmetic: dBFS to a bar length, and what counts as clipping or silence. Pure.

/** The meter's scale: -60 dBFS at the left edge, 0 dBFS at the right. */
export const METER_FLOOR_DBFS = -60;
/** Peaks at or above this are shown as clipping. */
export const CLIP_DBFS = -0.5;
/** Below this the input is effectively silent. */
export const SILENT_DBFS = -55;

/** Bar length in percent (0–100) for a level in dBFS. */
export function meterPercent(dbfs: number, floor: number = METER_FLOOR_DBFS): number {
  if (!Number.isFinite(dbfs) || dbfs <= floor) return 0;
  if (dbfs >= 0) return 100;
  return Math.round(((dbfs - floor) / -floor) * 1000) / 10;
}

/** "-12.3 dB", or "−∞" for the engine's silence floor. */
export function formatDbfs(dbfs: number): string {
  if (!Number.isFinite(dbfs) || dbfs <= -120) return '−∞';
  return `${dbfs.toFixed(1)} dB`;
}

export function channelName(index: number, count: number): string {
  if (count === 2) return index === 0 ? 'L' : 'R';
  return count === 1 ? 'M' : String(index + 1);
}
