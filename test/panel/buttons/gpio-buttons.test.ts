// The GPIO driver with fake pins, a driven clock and a fake timer queue: edges in, events out.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { GpioButtons, type GpioPin } from '../../../src/panel/buttons/gpio-buttons.js';
import type { ButtonEvent, ButtonName } from '../../../src/panel/buttons/button-logic.js';
import type { PinMap } from '../../../src/panel/buttons/pin-map.js';

class FakePin implements GpioPin {
  callback: ((err: Error | null | undefined, value: 0 | 1) => void) | null = null;
  unexported = false;
  constructor(public level: 0 | 1 = 0) {}
  watch(cb: (err: Error | null | undefined, value: 0 | 1) => void): void {
    this.callback = cb;
  }
  readSync(): 0 | 1 {
    return this.level;
  }
  unexport(): void {
    this.unexported = true;
  }
  set(level: 0 | 1): void {
    this.level = level;
    this.callback?.(null, level);
  }
}

const map: PinMap = { activeLow: true, buttons: { startstop: 17, record: 27, up: 22, down: 23, select: 24 } };
const numbers: Record<ButtonName, number> = { startstop: 529, record: 539, up: 534, down: 535, select: 536 };

function rig(initial: Partial<Record<number, 0 | 1>> = {}) {
  let now = 0;
  const timers: { at: number; fn: () => void; live: boolean }[] = [];
  const pins = new Map<number, FakePin>();
  const opened: [number, boolean][] = [];
  const events: [number, string][] = [];
  const buttons = new GpioButtons(
    map,
    numbers,
    (n, activeLow) => {
      opened.push([n, activeLow]);
      const pin = new FakePin(initial[n] ?? 0);
      pins.set(n, pin);
      return pin;
    },
    {
      now: () => now,
      schedule: (fn, delayMs) => {
        const t = { at: now + delayMs, fn, live: true };
        timers.push(t);
        return () => (t.live = false);
      },
    },
  );
  buttons.start((e: ButtonEvent) => events.push([now, `${e.kind} ${e.button}`]));
  /** Moves the clock to `to`, running due timers in order. */
  const advance = (to: number) => {
    for (;;) {
      const due = timers.filter((t) => t.live && t.at <= to).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      due.live = false;
      now = due.at;
      due.fn();
    }
    now = to;
  };
  const edge = (n: number, level: 0 | 1, at: number) => {
    advance(at);
    pins.get(n)!.set(level);
  };
  return { buttons, pins, opened, events, advance, edge };
}

test('opens every button at its sysfs number, active low', () => {
  const r = rig();
  assert.equal(r.opened.sort((a, b) => a[0] - b[0]), [[529, true], [534, true], [535, true], [536, true], [539, true]]);
  assert.match(r.buttons.description, /startstop=BCM17\/gpio529/);
});

test('a bouncy press of start/stop, then a hold of it', () => {
  const r = rig();
  r.edge(529, 1, 1000);
  r.edge(529, 0, 1002);
  r.edge(529, 1, 1004);
  r.edge(529, 0, 1200);
  r.advance(5000);
  assert.equal(r.events, [[1034, 'down startstop'], [1230, 'press startstop']]);
  r.events.length = 0;
  r.edge(529, 1, 6000);
  r.advance(9000);
  r.edge(529, 0, 9000);
  r.advance(12_000);
  assert.equal(r.events, [[6030, 'down startstop'], [8000, 'hold startstop']]);
});

test('buttons are independent: up pressed while start/stop is held', () => {
  const r = rig();
  r.edge(529, 1, 0);
  r.edge(534, 1, 500);
  r.edge(534, 0, 700);
  r.advance(3000);
  assert.equal(r.events, [[30, 'down startstop'], [530, 'down up'], [730, 'press up'], [2000, 'hold startstop']]);
});

test('a button already down when the panel starts fires nothing until released and pressed again', () => {
  const r = rig({ 529: 1 });
  r.advance(5000);
  r.edge(529, 0, 5000);
  r.advance(6000);
  assert.equal(r.events, [], 'no hold, and the release is no press');
  r.edge(529, 1, 7000);
  r.edge(529, 0, 7100);
  r.advance(8000);
  assert.equal(r.events, [[7030, 'down startstop'], [7130, 'press startstop']]);
});

test('close cancels timers and unexports every pin', async () => {
  const r = rig();
  r.edge(529, 1, 0);
  await r.buttons.close();
  r.advance(5000);
  assert.equal(r.events, []);
  assert.ok([...r.pins.values()].every((p) => p.unexported));
});

test.run();
