import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PassThrough } from 'node:stream';
import { StdinButtons, parseButtonLine } from '../../../src/panel/buttons/stdin-buttons.js';
import type { ButtonEvent } from '../../../src/panel/buttons/button-logic.js';

test('press and hold lines give the same event sequences as real buttons', () => {
  assert.equal(parseButtonLine('press startstop'), [{ button: 'startstop', kind: 'down' }, { button: 'startstop', kind: 'press' }]);
  assert.equal(parseButtonLine('  HOLD   startstop '), [{ button: 'startstop', kind: 'down' }, { button: 'startstop', kind: 'hold' }]);
  for (const b of ['record', 'up', 'down', 'select']) assert.equal((parseButtonLine(`press ${b}`) as ButtonEvent[])[1], { button: b, kind: 'press' });
});

test('blank and comment lines are nothing; anything else is an error that lists the commands', () => {
  assert.equal(parseButtonLine(''), []);
  assert.equal(parseButtonLine('# a comment'), []);
  const bad = parseButtonLine('press power');
  assert.instance(bad, Error);
  assert.match((bad as Error).message, /no button "power"; commands: press\|hold startstop\|record\|up\|down\|select/);
  assert.match((parseButtonLine('tap up') as Error).message, /not understood: "tap up"/);
  assert.instance(parseButtonLine('press up now'), Error);
});

test('the simulator reads a stream line by line', async () => {
  const input = new PassThrough();
  const complaints: string[] = [];
  const events: string[] = [];
  const sim = new StdinButtons(input, (m) => complaints.push(m));
  sim.start((e) => events.push(`${e.kind} ${e.button}`));
  input.write('press up\nhold start');
  input.write('stop\nwiggle\n');
  await new Promise((r) => setImmediate(r));
  await sim.close();
  assert.equal(events, ['down up', 'press up', 'down startstop', 'hold startstop']);
  assert.is(complaints.length, 1);
});

test.run();
