// Where a recording is cut, as pure functions of frame positions and wall-clock time.
//
// The recorder counts capture frames; the sound card's clock is the only clock the audio knows. Wall
// time is mapped onto frames by a small clock model that is re-fitted on every chunk the capture
// delivers, so an hourly boundary lands on the system clock's hour however far the card's crystal
// drifts, and a step of the system clock (NTP setting the time after boot: the Pi has no RTC)
// re-anchors the model instead of moving audio. Cuts are frame numbers: the old file gets every frame
// before the cut, the new one every frame from it, so nothing is lost or written twice.
import type { FileRotation } from '../types.js';

/** A jump of the wall clock against the frame count larger than this is a clock step, not jitter. */
export const CLOCK_STEP_MS = 1000;
/** How fast the model follows a card that runs slow against the system clock (per observation). */
export const DRIFT_GAIN = 0.02;
// Every time zone in use has an offset that is a whole multiple of 15 minutes (India +5:30, Nepal +5:45),
// so every local hour and midnight falls on a 15-minute UTC grid point.
const GRID_MS = 15 * 60_000;
const GRID_SEARCH_LIMIT = 4 * 24 * 3;

export type TimeRotation = Extract<FileRotation, 'hourly' | 'daily'>;

export function isTimeRotation(rotation: FileRotation): rotation is TimeRotation {
  return rotation === 'hourly' || rotation === 'daily';
}

function isBoundary(rotation: TimeRotation, ms: number): boolean {
  const d = new Date(ms);
  if (rotation === 'hourly') return d.getMinutes() === 0 && d.getSeconds() === 0;
  // The local date changes here (also on days whose midnight a DST change skips).
  return d.getDate() !== new Date(ms - GRID_MS).getDate();
}

/** The first local hour (hourly) or local day (daily) boundary strictly after `afterMs`, in the TZ of the process. */
export function nextBoundaryMs(rotation: TimeRotation, afterMs: number): number {
  let candidate = Math.floor(afterMs / GRID_MS) * GRID_MS + GRID_MS;
  for (let i = 0; i < GRID_SEARCH_LIMIT; i++, candidate += GRID_MS) {
    if (isBoundary(rotation, candidate)) return candidate;
  }
  return candidate;
}

/** The clock model: `wallMs` is the best estimate of when capture frame `frame` was captured. */
export interface FrameClock {
  frame: number;
  wallMs: number;
}

export interface ClockUpdate {
  clock: FrameClock;
  /** Size of the clock step detected by this observation (0: none; negative: the clock went back). */
  stepMs: number;
}

export function wallAt(clock: FrameClock, frame: number, rate: number): number {
  return clock.wallMs + ((frame - clock.frame) * 1000) / rate;
}

export function frameAt(clock: FrameClock, wallMs: number, rate: number): number {
  return clock.frame + Math.round(((wallMs - clock.wallMs) * rate) / 1000);
}

/**
 * Fits the model to one observation: `frame` frames had arrived at wall time `nowMs`. A chunk is always
 * delivered after it was captured, so the earliest-looking observation is the truest: the model snaps to
 * any observation earlier than it predicts (this also follows a card that runs fast), and creeps towards
 * later ones (a card that runs slow) without being dragged by one late wake-up.
 */
export function observeClock(clock: FrameClock | null, frame: number, nowMs: number, rate: number): ClockUpdate {
  if (clock === null) return { clock: { frame, wallMs: nowMs }, stepMs: 0 };
  const predicted = wallAt(clock, frame, rate);
  const errMs = nowMs - predicted;
  if (Math.abs(errMs) > CLOCK_STEP_MS) return { clock: { frame, wallMs: nowMs }, stepMs: errMs };
  if (errMs <= 0) return { clock: { frame, wallMs: nowMs }, stepMs: 0 };
  return { clock: { frame, wallMs: predicted + errMs * DRIFT_GAIN }, stepMs: 0 };
}

/** What the schedule knows about the file being written. */
export interface FilePlan {
  startFrame: number;
  /** Wall time at which this file ends (hourly/daily), or null. */
  boundaryMs: number | null;
  /** The file holds at most this many frames (WAV size limit, FAT's 4 GiB), or null. */
  maxFrames: number | null;
}

export interface Cut {
  frame: number;
  /** Wall time of the cut frame: names the next file (exactly the boundary for a time cut). */
  wallMs: number;
  reason: 'time' | 'size' | 'clock_step';
}

export interface ScheduleInput {
  rotation: FileRotation;
  rate: number;
  /** Frames that had arrived before this chunk: no cut can fall before the chunk that just came in. */
  previousPosition: number;
  /** Frames arrived so far (the end of the chunk just delivered). */
  position: number;
  /** The clock after observing `position`. */
  clock: FrameClock;
  /** From the same observation: a clock step re-anchors the schedule. */
  stepMs: number;
  /** Size cap of every new file, in frames, or null. */
  maxFrames: number | null;
}

/** The plan of a file that starts at `startFrame` (wall time `startWallMs`). */
export function planFile(rotation: FileRotation, startFrame: number, startWallMs: number, maxFrames: number | null): FilePlan {
  return { startFrame, boundaryMs: isTimeRotation(rotation) ? nextBoundaryMs(rotation, startWallMs) : null, maxFrames };
}

/**
 * Advances the plan over one chunk: returns the cuts that fall inside it (several when files are
 * tiny) and the plan of the file written after the last of them.
 *
 * A clock step moves the boundary to the next one after the new time if that is sooner (the clock went
 * back), and a step past the boundary cuts at once, at the first frame that arrived after the step.
 */
export function planCuts(plan: FilePlan, input: ScheduleInput): { cuts: Cut[]; plan: FilePlan } {
  const { rotation, rate, clock, position } = input;
  const cuts: Cut[] = [];
  let current = plan;
  if (input.stepMs !== 0 && current.boundaryMs !== null && isTimeRotation(rotation)) {
    const nowMs = wallAt(clock, position, rate);
    if (nowMs >= current.boundaryMs && input.previousPosition > current.startFrame) {
      const frame = input.previousPosition;
      cuts.push({ frame, wallMs: wallAt(clock, frame, rate), reason: 'clock_step' });
      current = planFile(rotation, frame, wallAt(clock, frame, rate), input.maxFrames);
    } else {
      // Back in time: the next boundary may now be sooner. Past the boundary with a file that has only
      // just started: the whole file belongs to the new time.
      const next = nextBoundaryMs(rotation, nowMs);
      current = { ...current, boundaryMs: nowMs >= current.boundaryMs ? next : Math.min(current.boundaryMs, next) };
    }
  }
  for (;;) {
    const next = nextCut(current, input);
    if (next === null) break;
    cuts.push(next);
    const boundaryMs = next.reason === 'time' && isTimeRotation(rotation) ? nextBoundaryMs(rotation, next.wallMs) : null;
    current = next.reason === 'time' ? { startFrame: next.frame, boundaryMs, maxFrames: input.maxFrames } : planFile(rotation, next.frame, next.wallMs, input.maxFrames);
  }
  return { cuts, plan: current };
}

function nextCut(plan: FilePlan, input: ScheduleInput): Cut | null {
  const { rate, clock, position } = input;
  const floor = Math.max(plan.startFrame + 1, input.previousPosition);
  let best: Cut | null = null;
  if (plan.boundaryMs !== null && wallAt(clock, position, rate) >= plan.boundaryMs) {
    const frame = Math.min(position, Math.max(floor, frameAt(clock, plan.boundaryMs, rate)));
    best = { frame, wallMs: plan.boundaryMs, reason: 'time' };
  }
  if (plan.maxFrames !== null && plan.startFrame + plan.maxFrames <= position) {
    const frame = Math.max(plan.startFrame + 1, plan.startFrame + plan.maxFrames);
    if (best === null || frame < best.frame) best = { frame, wallMs: wallAt(clock, frame, rate), reason: 'size' };
  }
  if (best === null || best.frame > position || best.frame <= plan.startFrame) return null;
  return best;
}
