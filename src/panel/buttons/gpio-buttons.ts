// Push buttons on the Pi's header through the kernel's sysfs GPIO interface, using `onoff`.
//
// onoff rather than libgpiod: onoff needs no system library (the node-libgpiod binding needs the
// libgpiod headers and a matching 1.x/2.x ABI on the box), gets edge interrupts through epoll
// (no polling), and sysfs GPIO is still built into Raspberry Pi OS kernels. Its one trap, the
// 512+ numbering of kernels 6.6 and later, is handled by sysfsGpioNumber(). onoff is an optional
// dependency loaded only here, so the simulator runs where it did not build.
//
// Debouncing is ours (ButtonTracker), not onoff's debounceTimeout, so that it is pure and tested.
import { ButtonTracker, DEFAULT_TIMING, type ButtonEvent, type ButtonName, type ButtonTiming } from './button-logic.js';
import type { ButtonSource } from './button-source.js';
import type { PinMap } from './pin-map.js';
import { readGpioChips, sysfsGpioNumber } from './sysfs-gpio.js';
import { log } from '../../engine/log.js';

const debug = log('panel:gpio');

/** The subset of onoff's Gpio used here (a fake pin in tests implements just this). */
export interface GpioPin {
  watch(callback: (err: Error | null | undefined, value: 0 | 1) => void): void;
  readSync(): 0 | 1;
  unexport(): void;
}

/** Opens a sysfs GPIO as an input with interrupts on both edges; `activeLow` makes pressed read 1. */
export type OpenPin = (sysfsNumber: number, activeLow: boolean) => GpioPin;

export type Schedule = (fn: () => void, delayMs: number) => () => void;

const realSchedule: Schedule = (fn, delayMs) => {
  const t = setTimeout(fn, delayMs);
  return () => clearTimeout(t);
};

export interface GpioButtonsOptions {
  timing?: ButtonTiming;
  now?: () => number;
  schedule?: Schedule;
}

export class GpioButtons implements ButtonSource {
  readonly description: string;
  private readonly pins = new Map<ButtonName, GpioPin>();
  private readonly trackers = new Map<ButtonName, ButtonTracker>();
  private readonly cancels = new Map<ButtonName, () => void>();
  private readonly now: () => number;
  private readonly schedule: Schedule;
  private onEvent: (event: ButtonEvent) => void = () => {};

  constructor(
    private readonly map: PinMap,
    private readonly sysfsNumbers: Record<ButtonName, number>,
    private readonly openPin: OpenPin,
    opts: GpioButtonsOptions = {},
  ) {
    this.now = opts.now ?? (() => performance.now());
    this.schedule = opts.schedule ?? realSchedule;
    const timing = opts.timing ?? DEFAULT_TIMING;
    for (const name of Object.keys(sysfsNumbers) as ButtonName[]) this.trackers.set(name, new ButtonTracker(timing));
    this.description = `GPIO buttons (${Object.entries(map.buttons).map(([n, bcm]) => `${n}=BCM${bcm}/gpio${sysfsNumbers[n as ButtonName]}`).join(', ')})`;
  }

  start(onEvent: (event: ButtonEvent) => void): void {
    this.onEvent = onEvent;
    for (const [name, number] of Object.entries(this.sysfsNumbers) as [ButtonName, number][]) {
      const pin = this.openPin(number, this.map.activeLow);
      this.pins.set(name, pin);
      this.trackers.get(name)?.assumeLevel(pin.readSync() === 1, this.now());
      pin.watch((err, value) => {
        if (err) return void debug('%s: %s', name, err.message);
        this.edge(name, value === 1);
      });
    }
  }

  async close(): Promise<void> {
    for (const cancel of this.cancels.values()) cancel();
    for (const pin of this.pins.values()) {
      try {
        pin.unexport();
      } catch (err) {
        debug('unexport: %s', err instanceof Error ? err.message : err);
      }
    }
    this.pins.clear();
  }

  /** The level of `name`'s pin changed (or was sampled). */
  edge(name: ButtonName, pressed: boolean): void {
    const tracker = this.trackers.get(name);
    if (!tracker) return;
    this.emit(name, tracker.input(pressed, this.now()));
    this.reschedule(name, tracker);
  }

  private tick(name: ButtonName, tracker: ButtonTracker): void {
    this.emit(name, tracker.tick(this.now()));
    this.reschedule(name, tracker);
  }

  private reschedule(name: ButtonName, tracker: ButtonTracker): void {
    this.cancels.get(name)?.();
    this.cancels.delete(name);
    const deadline = tracker.nextDeadlineMs();
    if (deadline === null) return;
    this.cancels.set(name, this.schedule(() => this.tick(name, tracker), Math.max(0, deadline - this.now())));
  }

  private emit(button: ButtonName, kinds: ReturnType<ButtonTracker['tick']>): void {
    for (const kind of kinds) this.onEvent({ button, kind });
  }
}

/** The real driver: finds the header's GPIO chip, maps BCM numbers and opens the pins with onoff. */
export async function openGpioButtons(map: PinMap, sysfsRoot = '/sys/class/gpio'): Promise<GpioButtons> {
  const chips = await readGpioChips(sysfsRoot);
  const numbers = {} as Record<ButtonName, number>;
  for (const [name, bcm] of Object.entries(map.buttons) as [ButtonName, number][]) numbers[name] = sysfsGpioNumber(bcm, chips);
  let Gpio: typeof import('onoff').Gpio;
  try {
    Gpio = (await import('onoff')).Gpio;
  } catch (err) {
    throw new Error(`the onoff module is not available (${err instanceof Error ? err.message : String(err)}); run npm install on the box`);
  }
  if (!Gpio.accessible) throw new Error('GPIO is not accessible: is the panel user in the gpio group?');
  return new GpioButtons(map, numbers, (n, activeLow) => new Gpio(n, 'in', 'both', { activeLow }));
}
