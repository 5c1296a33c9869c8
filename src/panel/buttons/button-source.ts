// The button seam: GPIO push buttons on the box, or lines on stdin in the simulator. The panel
// only ever sees ButtonEvents.
import type { ButtonEvent } from './button-logic.js';

export interface ButtonSource {
  readonly description: string;
  start(onEvent: (event: ButtonEvent) => void): void;
  close(): Promise<void>;
}
