// Colours: one per encoder for the graph (stable: chosen by id, so a line keeps its colour across
// reloads), and one per connection state for the dots and badges. Every colour is paired with text on the
// page; none carries meaning alone.
import type { EncoderStatus } from './types.js';

/** Distinguishable on the dark background, also for the common colour-vision deficiencies (Okabe–Ito based). */
export const ENCODER_PALETTE = ['#56b4e9', '#e69f00', '#cc79a7', '#009e73', '#f0e442', '#d55e00', '#9999ff', '#e0e0e0'] as const;

export function encoderColor(id: number): string {
  const i = (((id - 1) % ENCODER_PALETTE.length) + ENCODER_PALETTE.length) % ENCODER_PALETTE.length;
  return ENCODER_PALETTE[i] ?? ENCODER_PALETTE[0];
}

export type StateName = EncoderStatus['state'];

/** Short labels for the dots and badges (the status text, e.g. "Retrying (2/5)", says more). */
export const STATE_LABEL: Record<StateName, string> = {
  streaming: 'Streaming',
  connecting: 'Connecting',
  retrying: 'Retrying',
  failed: 'Failed',
  disabled: 'Stopped',
};

/** CSS class suffix per state; the colours live in styles.css. */
export function stateClass(state: StateName): string {
  return `state-${state}`;
}
