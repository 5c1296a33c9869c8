import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PacedGenerator, sineFiller } from '../../../src/engine/capture/paced-generator.js';

const format = { sampleRate: 48000, channels: 2, sampleFormat: 'S16_LE' } as const;

test('emits exactly the frames due for the elapsed time, whatever the tick jitter', () => {
  let now = 0;
  const chunks: Buffer[] = [];
  const gen = new PacedGenerator(format, () => {}, (c) => chunks.push(c), 20, () => now);
  gen.start();
  gen.stop(); // drive ticks by hand
  for (const step of [19, 23, 7, 51, 0, 900]) {
    now += step;
    gen.tick();
  }
  const bytes = chunks.reduce((n, c) => n + c.length, 0);
  assert.is(bytes, 1000 * 48 * 4);
});

test('the sine is continuous across chunks', () => {
  let now = 0;
  const chunks: Buffer[] = [];
  const gen = new PacedGenerator(format, sineFiller(format, 1000), (c) => chunks.push(c), 20, () => now);
  gen.start();
  gen.stop();
  now = 10;
  gen.tick();
  now = 20;
  gen.tick();
  const all = Buffer.concat(chunks);
  const whole = Buffer.alloc(all.length);
  sineFiller(format, 1000)(whole, 0, all.length / 4);
  assert.ok(all.equals(whole));
  assert.is(all.readInt16LE(4 * 12), Math.round(Math.sin((2 * Math.PI * 1000 * 12) / 48000) * 0.25 * 32767));
});

test.run();
