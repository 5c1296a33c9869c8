// Debounce, press and hold for one push button, as pure logic: raw pin levels and the time go in,
// button events come out. The GPIO driver calls `input` on every edge and `tick` when
// `nextDeadlineMs` comes; tests drive both with plain numbers.
//
//   down   the button has been pressed (debounced) — the panel shows "hold 2 s to stop" on this
//   press  released before the hold time: a short press
//   hold   still pressed after the hold time; fires once, while the finger is still on the button,
//          and its release then fires nothing
export type ButtonName = 'startstop' | 'record' | 'up' | 'down' | 'select';
export const BUTTON_NAMES: readonly ButtonName[] = ['startstop', 'record', 'up', 'down', 'select'];

export type ButtonEventKind = 'down' | 'press' | 'hold';

export interface ButtonEvent {
  button: ButtonName;
  kind: ButtonEventKind;
}

export interface ButtonTiming {
  /** A level must stay this long before it counts: contact bounce is over within a few ms. */
  debounceMs: number;
  holdMs: number;
}

export const DEFAULT_TIMING: ButtonTiming = { debounceMs: 30, holdMs: 2000 };

export class ButtonTracker {
  private raw = false;
  private rawSinceMs = 0;
  private stable = false;
  private downAtMs = 0;
  private held = false;

  constructor(private readonly timing: ButtonTiming = DEFAULT_TIMING) {}

  /**
   * The level found when the driver starts. A button already down then (held through a restart,
   * or stuck) fires nothing: no hold, and its release is not a press.
   */
  assumeLevel(pressed: boolean, nowMs: number): void {
    this.raw = this.stable = pressed;
    this.rawSinceMs = this.downAtMs = nowMs;
    this.held = pressed;
  }

  /** The pin's level (true = pressed) seen at `nowMs`, after an edge. */
  input(pressed: boolean, nowMs: number): ButtonEventKind[] {
    // What had settled before this edge counts first (a hold reached while no timer ran, say).
    const out = this.tick(nowMs);
    if (pressed !== this.raw) {
      this.raw = pressed;
      this.rawSinceMs = nowMs;
    }
    return out;
  }

  tick(nowMs: number): ButtonEventKind[] {
    const out: ButtonEventKind[] = [];
    if (this.raw !== this.stable && nowMs - this.rawSinceMs >= this.timing.debounceMs) {
      this.stable = this.raw;
      if (this.stable) {
        this.downAtMs = this.rawSinceMs;
        this.held = false;
        out.push('down');
      } else if (!this.held) {
        out.push('press');
      }
    }
    // While a release is still being debounced, the button counts as held only up to that release.
    const heldUntilMs = this.raw ? nowMs : this.rawSinceMs;
    if (this.stable && !this.held && heldUntilMs - this.downAtMs >= this.timing.holdMs) {
      this.held = true;
      out.push('hold');
    }
    return out;
  }

  /** When `tick` has something to decide next, or null when nothing is pending. */
  nextDeadlineMs(): number | null {
    if (this.raw !== this.stable) return this.rawSinceMs + this.timing.debounceMs;
    if (this.stable && !this.held) return this.downAtMs + this.timing.holdMs;
    return null;
  }

  get pressed(): boolean {
    return this.stable;
  }
}
