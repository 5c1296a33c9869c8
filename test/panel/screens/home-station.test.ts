// The home screen's last line: the station's name while no alarm needs it, the alarm when one does.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { REFERENCE_VIEWS } from '../fixtures.js';
import { renderPanel } from '../../../src/panel/screens/render.js';
import { showsText } from '../find-text.js';

const onAir = REFERENCE_VIEWS['home-on-air']!;
const trouble = REFERENCE_VIEWS['home-server-down']!;

test('no alarm: the station\'s name on the last line; none given: the line stays empty', () => {
  const named = renderPanel({ ...onAir, status: { ...onAir.status!, stationName: 'Radio Nord' } });
  assert.ok(showsText(named, 'Radio Nord'));
  assert.ok(renderPanel(onAir).equals(renderPanel({ ...onAir, status: { ...onAir.status!, stationName: null } })));
});

test('an alarm takes the line', () => {
  const fb = renderPanel({ ...trouble, status: { ...trouble.status!, stationName: 'Radio Nord' } });
  assert.not.ok(showsText(fb, 'Radio Nord'));
  assert.ok(renderPanel({ ...trouble, status: { ...trouble.status!, stationName: 'Radio Nord' } }).equals(renderPanel(trouble)));
});

test.run();
