// The audio sensors of a rack silence detector (the Sonifex RB-SD1's switches, in software): silence,
// one channel lost, clipping. Pure functions of (previous state, levels, now, settings), fed ten times a
// second with the meters' windows, so they are tested with plain numbers. The audio worker runs them
// (audio-core.ts) so the fallback switch never waits for the control thread.
import type { ChannelLevel } from '../audio/meters.js';

export interface DetectorSettings {
  /** Programme below this (RMS of the loudest channel, dBFS) counts as silent. */
  silenceThresholdDbfs: number;
  /** Silent this long raises the silence alarm (and lost channel alarm). */
  silenceMs: number;
  /** A raised alarm clears once its condition has been gone this long. */
  recoveryMs: number;
  /** A peak at or above this counts as clipped. */
  clippingDbfs: number;
  /** Clipped this long (every window) raises the clipping alarm. */
  clippingMs: number;
}

/** One condition with a delay before it is raised and a recovery time before it clears. */
export interface Held {
  active: boolean;
  /** When the condition became true (while pending or active; an active alarm started then). */
  sinceMs: number | null;
  /** While active: when the condition last became false (recovering), else null. */
  okSinceMs: number | null;
}

export const IDLE: Held = { active: false, sinceMs: null, okSinceMs: null };

/** The next state of a held condition. Returns `prev` itself when nothing changed. */
export function hold(prev: Held, condition: boolean, nowMs: number, raiseAfterMs: number, clearAfterMs: number): Held {
  if (!prev.active) {
    if (!condition) return prev.sinceMs === null ? prev : IDLE;
    const sinceMs = prev.sinceMs ?? nowMs;
    if (nowMs - sinceMs >= raiseAfterMs) return { active: true, sinceMs, okSinceMs: null };
    return prev.sinceMs === null ? { active: false, sinceMs, okSinceMs: null } : prev;
  }
  if (condition) return prev.okSinceMs === null ? prev : { ...prev, okSinceMs: null };
  const okSinceMs = prev.okSinceMs ?? nowMs;
  if (nowMs - okSinceMs >= clearAfterMs) return IDLE;
  return prev.okSinceMs === null ? { ...prev, okSinceMs } : prev;
}

export interface DetectorState {
  silence: Held;
  /** One side silent while the other is not (a broken cable leg); `channel` is the silent one (0 = left). */
  channelLost: Held & { channel: number | null };
  clipping: Held;
}

export const INITIAL_DETECTORS: DetectorState = { silence: IDLE, channelLost: { ...IDLE, channel: null }, clipping: IDLE };

/** The loudest channel's RMS, dBFS; no channels (no window yet) reads as silence. */
export function programmeDbfs(levels: readonly ChannelLevel[]): number {
  let loudest = -Infinity;
  for (const l of levels) if (l.rmsDbfs > loudest) loudest = l.rmsDbfs;
  return loudest === -Infinity ? -120 : loudest;
}

/** The silent channel when exactly one of two is below the threshold, else null. */
export function lostChannel(levels: readonly ChannelLevel[], thresholdDbfs: number): number | null {
  if (levels.length !== 2) return null;
  const silent = levels.map((l) => l.rmsDbfs < thresholdDbfs);
  if (silent[0] === silent[1]) return null;
  return silent[0] ? 0 : 1;
}

export function isClipped(levels: readonly ChannelLevel[], clippingDbfs: number): boolean {
  return levels.some((l) => l.peakDbfs >= clippingDbfs);
}

/** Feeds one meter window (read at `nowMs`) to every detector. */
export function stepDetectors(prev: DetectorState, levels: readonly ChannelLevel[], nowMs: number, s: DetectorSettings): DetectorState {
  const silent = programmeDbfs(levels) < s.silenceThresholdDbfs;
  const silence = hold(prev.silence, silent, nowMs, s.silenceMs, s.recoveryMs);
  // While the whole programme is silent, that is the alarm; a lost channel is about one side only.
  const lost = silent ? null : lostChannel(levels, s.silenceThresholdDbfs);
  // A different side going silent is a new condition, not the old one carrying on.
  const base: Held = lost !== null && prev.channelLost.channel !== null && lost !== prev.channelLost.channel && !prev.channelLost.active ? IDLE : prev.channelLost;
  const lostHeld = hold(base, lost !== null, nowMs, s.silenceMs, s.recoveryMs);
  const channel = lostHeld.sinceMs === null ? null : lostHeld.active ? (prev.channelLost.channel ?? lost) : lost;
  const channelLost = lostHeld === prev.channelLost && channel === prev.channelLost.channel ? prev.channelLost : { ...lostHeld, channel };
  const clipping = hold(prev.clipping, isClipped(levels, s.clippingDbfs), nowMs, s.clippingMs, s.recoveryMs);
  if (silence === prev.silence && channelLost === prev.channelLost && clipping === prev.clipping) return prev;
  return { silence, channelLost, clipping };
}

/** Seconds the programme has been silent right now (0 while there is audio): the metrics' silence gauge. */
export function silentSecs(state: DetectorState, nowMs: number): number {
  const s = state.silence;
  if (s.sinceMs === null || s.okSinceMs !== null) return 0;
  return Math.max(0, (nowMs - s.sinceMs) / 1000);
}
