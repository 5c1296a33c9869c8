// The per-encoder connection state machine of DESIGN.md, as a pure function of
// (state, event, now, policy). The encoder runner does the I/O around it.
//
//   disabled ─start─▶ connecting ─connected─▶ streaming
//                        │                        │
//                  connect_failed            disconnected
//                        ▼                        │
//                     retrying(n/max) ◀───────────┘
//                        │ attempts exhausted (max 0 = forever)
//                        ▼
//                      failed
import type { EncoderStateName } from '../types.js';

export interface MachineState {
  name: EncoderStateName;
  /** Retries spent in the current outage; 0 while healthy. */
  attempt: number;
  /** When the current state was entered (ms since epoch). */
  sinceMs: number;
  /** When the next connect attempt is due, while retrying. */
  nextRetryAtMs: number | null;
  lastError: string | null;
  /** When the encoder last went on air, for uptime. */
  streamingSinceMs: number | null;
}

export type MachineEvent =
  | { type: 'start' }
  | { type: 'stop' }
  | { type: 'connected' }
  | { type: 'connect_failed'; error: string; longBackoff: boolean }
  | { type: 'disconnected'; error: string; longBackoff: boolean }
  | { type: 'retry_due' };

export interface RetryPolicy {
  reconnectDelayMs: number;
  /** 0 = retry forever. */
  maxAttempts: number;
  /** A run on air at least this long resets the retry count. */
  stableRunMs: number;
  /** A random number in [0, 1) for jitter; injected so tests are exact. */
  random: () => number;
}

/** Servers that refused a password or still hold the mount need longer than the usual delay:
 *  Icecast keeps a dead source's mount for its source-timeout (10 s), so retrying sooner only sees "mount in use". */
export const LONG_BACKOFF_MIN_MS = 11_000;
/** Jitter keeps many boxes from hammering a restarted server in lockstep, yet stays small
 *  so a station is back on air within the configured delay plus a second. */
export const MAX_JITTER_MS = 500;

export function retryDelayMs(policy: RetryPolicy, longBackoff: boolean): number {
  const base = longBackoff ? Math.max(policy.reconnectDelayMs, LONG_BACKOFF_MIN_MS) : policy.reconnectDelayMs;
  const jitter = Math.min(MAX_JITTER_MS, base * 0.1) * policy.random();
  return Math.round(base + jitter);
}

export function initialState(nowMs: number): MachineState {
  return { name: 'disabled', attempt: 0, sinceMs: nowMs, nextRetryAtMs: null, lastError: null, streamingSinceMs: null };
}

function enter(state: MachineState, patch: Partial<MachineState> & { name: EncoderStateName }, nowMs: number): MachineState {
  return { ...state, nextRetryAtMs: null, ...patch, sinceMs: nowMs };
}

function failOrRetry(state: MachineState, attemptsSoFar: number, error: string, longBackoff: boolean, nowMs: number, policy: RetryPolicy): MachineState {
  if (policy.maxAttempts > 0 && attemptsSoFar >= policy.maxAttempts) {
    return enter(state, { name: 'failed', lastError: error, attempt: attemptsSoFar, streamingSinceMs: null }, nowMs);
  }
  return enter(
    state,
    {
      name: 'retrying',
      attempt: attemptsSoFar + 1,
      lastError: error,
      nextRetryAtMs: nowMs + retryDelayMs(policy, longBackoff),
      streamingSinceMs: null,
    },
    nowMs,
  );
}

export function transition(state: MachineState, event: MachineEvent, nowMs: number, policy: RetryPolicy): MachineState {
  switch (event.type) {
    case 'start':
      if (state.name === 'connecting' || state.name === 'streaming' || state.name === 'retrying') return state;
      return enter(state, { name: 'connecting', attempt: 0, lastError: null, streamingSinceMs: null }, nowMs);
    case 'stop':
      if (state.name === 'disabled') return state;
      return enter(state, { name: 'disabled', attempt: 0, streamingSinceMs: null }, nowMs);
    case 'connected':
      if (state.name !== 'connecting') return state;
      return enter(state, { name: 'streaming', streamingSinceMs: nowMs }, nowMs);
    case 'connect_failed':
      if (state.name !== 'connecting') return state;
      // A failed first attempt is not yet a retry: attempt counts the retries already made.
      return failOrRetry(state, state.attempt, event.error, event.longBackoff, nowMs, policy);
    case 'disconnected': {
      if (state.name !== 'streaming') return state;
      const ranMs = nowMs - (state.streamingSinceMs ?? nowMs);
      const spent = ranMs >= policy.stableRunMs ? 0 : state.attempt;
      return failOrRetry(state, spent, event.error, event.longBackoff, nowMs, policy);
    }
    case 'retry_due':
      if (state.name !== 'retrying') return state;
      return enter(state, { name: 'connecting' }, nowMs);
  }
}

/** What an operator reads: "Streaming", "Retrying (2/5)", "Failed: wrong password". */
export function describeState(state: MachineState, maxAttempts: number): string {
  switch (state.name) {
    case 'disabled':
      return 'Stopped';
    case 'connecting':
      return state.attempt > 0 ? `Connecting (${state.attempt}/${maxAttempts > 0 ? maxAttempts : '∞'})` : 'Connecting';
    case 'streaming':
      return 'Streaming';
    case 'retrying':
      return `Retrying (${state.attempt}/${maxAttempts > 0 ? maxAttempts : '∞'})`;
    case 'failed':
      return state.lastError ? `Failed: ${state.lastError}` : 'Failed';
  }
}
