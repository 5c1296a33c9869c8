// The storm limit: at most `maxPerHour` notifications per target in any hour. A flapping alarm past
// that is held, never sent one by one; one summary goes out for all that was held once it has gathered
// for SUMMARY_AFTER_MS and the hour has room again. Pure: times are arguments, the caller keeps the state.
export interface StormState<T> {
  /** When the notifications of the last hour were sent (ms, oldest first). */
  sentAtMs: number[];
  held: T[];
  /** When the oldest held item was held. */
  heldSinceMs: number | null;
}

export const HOUR_MS = 3_600_000;
/** Held changes gather this long before their summary goes out (a storm is summarised, not trickled). */
export const SUMMARY_AFTER_MS = 10 * 60_000;

export function emptyStorm<T>(): StormState<T> {
  return { sentAtMs: [], held: [], heldSinceMs: null };
}

function recent(sentAtMs: number[], nowMs: number): number[] {
  return sentAtMs.filter((t) => nowMs - t < HOUR_MS);
}

/**
 * Offers one notification. `send`: it goes out now. Otherwise it is held: while anything is held,
 * everything new is held too, so the summary keeps the order; the hour's last slot is kept for it.
 */
export function offer<T>(state: StormState<T>, item: T, nowMs: number, maxPerHour: number): { state: StormState<T>; send: boolean } {
  const sent = recent(state.sentAtMs, nowMs);
  if (state.held.length === 0 && sent.length < Math.max(1, maxPerHour - 1)) {
    return { state: { sentAtMs: [...sent, nowMs], held: [], heldSinceMs: null }, send: true };
  }
  return { state: { sentAtMs: sent, held: [...state.held, item], heldSinceMs: state.heldSinceMs ?? nowMs }, send: false };
}

/** The held items, to go out as one summary, once they have gathered long enough and the hour has room. */
export function flush<T>(state: StormState<T>, nowMs: number, maxPerHour: number): { state: StormState<T>; summary: T[] | null } {
  if (state.held.length === 0 || state.heldSinceMs === null) return { state, summary: null };
  const sent = recent(state.sentAtMs, nowMs);
  if (nowMs - state.heldSinceMs < SUMMARY_AFTER_MS || sent.length >= maxPerHour) return { state: { ...state, sentAtMs: sent }, summary: null };
  return { state: { sentAtMs: [...sent, nowMs], held: [], heldSinceMs: null }, summary: state.held };
}

/** When flush can next succeed (ms), or null when nothing is held. */
export function nextFlushAtMs<T>(state: StormState<T>, maxPerHour: number): number | null {
  if (state.held.length === 0 || state.heldSinceMs === null) return null;
  const gathered = state.heldSinceMs + SUMMARY_AFTER_MS;
  const sorted = [...state.sentAtMs].sort((a, b) => a - b);
  const room = sorted.length < maxPerHour ? 0 : sorted[sorted.length - maxPerHour]! + HOUR_MS;
  return Math.max(gathered, room);
}
