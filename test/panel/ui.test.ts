// The buttons' meaning as pure functions: what each press asks of the engine and what it shows.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { expire, initialUi, listenSources, onActionDone, onButton, IDLE_MS, MENU, type ButtonContext, type PanelAction, type UiState } from '../../src/panel/ui.js';
import { parseStatus, type PanelStatus } from '../../src/panel/api-types.js';
import { actionPath } from '../../src/panel/panel.js';
import { panelAlarms } from '../../src/panel/alarms.js';
import { BUTTON_NAMES, type ButtonEvent, type ButtonEventKind, type ButtonName } from '../../src/panel/buttons/button-logic.js';

const status = (...states: string[]): PanelStatus =>
  parseStatus({ capture: { state: 'running' }, encoders: states.map((state, i) => ({ id: i + 1, name: `E${i + 1}`, state })), alarms: [] });

const ctx = (s: PanelStatus | null, over: Partial<ButtonContext> = {}): ButtonContext => ({ status: s, engineUp: s !== null, holdMs: 2000, nowMs: 1000, ...over });
const ev = (button: ButtonName, kind: ButtonEventKind = 'press'): ButtonEvent => ({ button, kind });

function press(ui: UiState, s: PanelStatus | null, ...events: ButtonEvent[]): { ui: UiState; actions: PanelAction[] } {
  let actions: PanelAction[] = [];
  for (const e of events) {
    const r = onButton(ui, e, ctx(s));
    ui = r.ui;
    actions = [...actions, ...r.actions];
  }
  return { ui, actions };
}

test('press start/stop with everything stopped: start all', () => {
  const r = press(initialUi(0), status('disabled', 'disabled'), ev('startstop', 'down'), ev('startstop'));
  assert.equal(r.actions, [{ type: 'start-all' }]);
  assert.equal(r.ui.toast?.lines, ['Starting', 'all streams']);
});

test('press start/stop with some on air and one stopped: start all (the engine starts only the stopped ones)', () => {
  assert.equal(press(initialUi(0), status('streaming', 'disabled'), ev('startstop')).actions, [{ type: 'start-all' }]);
});

test('press start/stop while on air: nothing is stopped, the hold is explained', () => {
  const down = onButton(initialUi(0), ev('startstop', 'down'), ctx(status('streaming', 'retrying')));
  assert.equal(down.actions, []);
  assert.equal(down.ui.toast?.lines, ['Hold 2 s', 'to stop all streams']);
  const r = press(down.ui, status('streaming', 'retrying'), ev('startstop'));
  assert.equal(r.actions, []);
  assert.equal(r.ui.toast?.lines, ['On air.', 'Hold 2 s to stop']);
});

test('hold start/stop: stop all; when already off air, nothing', () => {
  assert.equal(press(initialUi(0), status('streaming', 'failed'), ev('startstop', 'down'), ev('startstop', 'hold')).actions, [{ type: 'stop-all' }]);
  const off = press(initialUi(0), status('disabled'), ev('startstop', 'hold'));
  assert.equal(off.actions, []);
  assert.equal(off.ui.toast?.lines, ['Already off air']);
});

test('no single press of any button, on any screen, in any state, ever asks to stop', () => {
  const states = ['disabled', 'connecting', 'streaming', 'retrying', 'failed'];
  const statuses = [null, status(), ...states.map((s) => status(s)), status('streaming', 'disabled', 'retrying')];
  for (const s of statuses) {
    for (const screen of ['home', 'menu', 'encoder', 'network'] as const) {
      for (let menuIndex = 0; menuIndex < MENU.length; menuIndex++) {
        for (const button of BUTTON_NAMES) {
          const ui = { ...initialUi(0), screen, menuIndex };
          const r = press(ui, s, ev(button, 'down'), ev(button, 'press'));
          assert.not.ok(r.actions.some((a) => a.type === 'stop-all'), `${button} on ${screen}`);
        }
      }
    }
  }
});

test('with the engine down, start/stop and record only say so', () => {
  for (const kind of ['press', 'hold'] as const) {
    const r = press(initialUi(0), null, ev('startstop', kind));
    assert.equal(r.actions, []);
    assert.equal(r.ui.toast?.lines, ['Engine not running:', 'nothing to do']);
  }
});

test('record toggles the recorder on screen, else the first recorder; 404 shows "not available"', () => {
  const s = parseStatus({
    encoders: [
      { id: 1, name: 'Main', state: 'streaming' },
      { id: 2, name: 'Logger', state: 'disabled', recording: { active: false } },
      { id: 3, name: 'Backup logger', state: 'streaming', recording: { active: true } },
    ],
  });
  assert.equal(press(initialUi(0), s, ev('record')).actions, [{ type: 'recording', encoderId: 2, start: true }]);
  const onScreen = { ...initialUi(0), screen: 'encoder' as const, encoderIndex: 2 };
  assert.equal(press(onScreen, s, ev('record')).actions, [{ type: 'recording', encoderId: 3, start: false }]);
  const streamOnScreen = { ...initialUi(0), screen: 'encoder' as const, encoderIndex: 0 };
  assert.equal(press(streamOnScreen, s, ev('record')).actions, [{ type: 'recording', encoderId: 2, start: true }]);
  // No recorder at all (or an engine that reports none): the engine is asked and says why not.
  assert.equal(press(initialUi(0), status('streaming', 'streaming'), ev('record')).actions, [{ type: 'recording', encoderId: 1, start: true }]);
  const ui = onActionDone(initialUi(0), { type: 'recording', encoderId: 1, start: true }, { status: 404, body: { error: 'no such API route' } }, 5000);
  assert.equal(ui.toast, { lines: ['Recording', 'not available'], untilMs: 7500 });
  const notFile = onActionDone(initialUi(0), { type: 'recording', encoderId: 1, start: true }, { status: 409, body: { error: 'encoder "Main" is not a file output' } }, 0);
  assert.equal(notFile.toast?.lines, ['Recording', 'not available:', 'no file output']);
  assert.equal(press(initialUi(0), status(), ev('record')).ui.toast?.lines, ['No encoder', 'to record']);
});

test('what the engine answered, in a message', () => {
  const ui = initialUi(0);
  assert.equal(onActionDone(ui, { type: 'start-all' }, { status: 200, body: { started: [] } }, 0).toast?.lines, ['Nothing to start:', 'no enabled encoder', 'is stopped']);
  assert.is(onActionDone(ui, { type: 'start-all' }, { status: 200, body: { started: [1] } }, 0), ui);
  assert.equal(onActionDone(ui, { type: 'stop-all' }, { status: 200, body: { ok: true } }, 0).toast?.lines, ['Off air:', 'all streams stopped']);
  assert.equal(onActionDone(ui, { type: 'stop-all' }, { status: 500, body: { error: 'internal error' } }, 0).toast?.lines, ['Stop failed:', 'internal error']);
  assert.equal(onActionDone(ui, { type: 'start-all' }, { status: 0, body: 'fetch failed' }, 0).toast?.lines, ['Engine not', 'reachable']);
});

test('menu: select opens it, up/down wrap, select opens the item, select goes back', () => {
  const s = status('streaming', 'disabled', 'retrying');
  let r = press(initialUi(0), s, ev('select'));
  assert.is(r.ui.screen, 'menu');
  r = press(r.ui, s, ev('up'));
  assert.is(r.ui.menuIndex, MENU.length - 1);
  r = press(r.ui, s, ev('down'), ev('down'), ev('down'), ev('select'));
  assert.is(r.ui.screen, 'network');
  r = press(r.ui, s, ev('select'), ev('up'), ev('select'));
  assert.is(r.ui.screen, 'encoder');
  r = press(r.ui, s, ev('up'));
  assert.is(r.ui.encoderIndex, 2);
  r = press(r.ui, s, ev('down'));
  assert.is(r.ui.encoderIndex, 0);
  r = press(r.ui, s, ev('select'), ev('down'), ev('down'), ev('down'), ev('select'));
  assert.equal(r.actions, [{ type: 'start-all' }], 'the menu can start streams too');
  assert.is(r.ui.screen, 'home');
});

test('menu: Eject USB drive asks the engine to eject, and says whether the drive is safe to remove', () => {
  const s = status('streaming');
  const at = MENU.findIndex((m) => m.label === 'Eject USB drive');
  assert.ok(at >= 0);
  let r = press(initialUi(0), s, ev('select'), ...Array.from({ length: at }, () => ev('down')), ev('select'));
  assert.equal(r.actions, [{ type: 'eject' }]);
  assert.equal(r.ui.toast?.lines, ['Finishing files,', 'unmounting']);
  const eject: PanelAction = { type: 'eject' };
  assert.equal(onActionDone(r.ui, eject, { status: 200, body: { message: 'safe to remove' } }, 0).toast?.lines, ['USB drive:', 'safe to remove']);
  assert.equal(onActionDone(r.ui, eject, { status: 409, body: { error: 'no drive is mounted at /media/rackcast-usb' } }, 0).toast?.lines, ['No USB drive', 'to eject']);
  assert.equal(onActionDone(r.ui, eject, { status: 503, body: { error: 'not unmounted' } }, 0).toast?.lines, ['NOT safe to remove:', 'not unmounted']);
  r = { ui: onActionDone(r.ui, eject, { status: 0, body: null }, 0), actions: [] };
  assert.equal(r.ui.toast?.lines, ['Engine not', 'reachable']);
});

test('menu: Back to programme releases a fallback on air, and only then', () => {
  const at = MENU.findIndex((m) => m.label === 'Back to programme');
  assert.ok(at >= 0);
  const open = (s: ReturnType<typeof status>) => press(initialUi(0), s, ev('select'), ...Array.from({ length: at }, () => ev('down')), ev('select'));
  const held = { ...status('streaming'), fallback: { active: true, held: true } };
  let r = open(held);
  assert.equal(r.actions, [{ type: 'release-fallback' }]);
  assert.equal(r.ui.toast?.lines, ['Back to', 'the programme']);
  assert.is(actionPath(r.actions[0]!), '/api/alarms/fallback/release');
  const release: PanelAction = { type: 'release-fallback' };
  assert.equal(onActionDone(r.ui, release, { status: 200, body: { ok: true } }, 0).toast?.lines, ['Back to', 'the programme']);
  assert.equal(onActionDone(r.ui, release, { status: 403, body: { error: 'this token may not do that', scope: 'control' } }, 0).toast?.lines, ['Release failed:', 'this token may not do that']);
  for (const s of [status('streaming'), { ...status('streaming'), fallback: { active: false, held: false } }]) {
    r = open(s);
    assert.equal(r.actions, [], 'nothing to release');
    assert.equal(r.ui.toast?.lines, ['No fallback on air:', 'the programme is']);
  }
});

test('the alarm line: the fallback on air during silence, and held after it', () => {
  const silent = { ...status('streaming'), alarms: [{ kind: 'silence', subject: 'programme', text: 'Silence' }], fallback: { active: true, held: false } };
  assert.equal(panelAlarms(silent), ['SILENCE', 'FALLBACK ON AIR']);
  assert.equal(panelAlarms({ ...status('streaming'), fallback: { active: true, held: true } }), ['FALLBACK HELD']);
  assert.equal(panelAlarms({ ...status('streaming'), fallback: { active: false, held: false } }), []);
  assert.equal(parseStatus({ dead_air: { silent_secs: 0, fallback: { active: true, since: '2026-05-01T03:12:35.000Z', held: true, source: null } } }).fallback, { active: true, held: true });
  assert.is(parseStatus({}).fallback, null, 'an engine without the fallback');
});

test('a key first dismisses a message; home scrolls through more encoders than fit', () => {
  const s = status('streaming', 'streaming', 'streaming', 'streaming', 'streaming');
  let r = press(initialUi(0), s, ev('startstop'));
  assert.ok(r.ui.toast);
  r = press(r.ui, s, ev('down'));
  assert.is(r.ui.toast, null);
  assert.is(r.ui.homeScroll, 0);
  r = press(r.ui, s, ev('down'), ev('down'), ev('down'));
  assert.is(r.ui.homeScroll, 2);
  r = press(r.ui, s, ev('up'), ev('up'), ev('up'));
  assert.is(r.ui.homeScroll, 0);
});

test('time passing: messages expire, an idle panel goes home', () => {
  const ui: UiState = { ...initialUi(0), screen: 'network', toast: { lines: ['x'], untilMs: 3000 } };
  assert.is(expire(ui, 2999), ui);
  assert.is(expire(ui, 3000).toast, null);
  assert.is(expire(ui, 3000).screen, 'network');
  assert.is(expire(ui, IDLE_MS).screen, 'home');
});

test('live listen from the panel: select switches it on, walks the sources (programme, then each stream on air) and the volume', () => {
  const base = status('streaming', 'disabled');
  const s = { ...base, liveListen: { enabled: false, source: 'master', volume: 1, state: 'off', status_text: 'Off' } };
  let r = press(initialUi(0), s, ev('select'), ev('down'), ev('down'), ev('down'), ev('select'));
  assert.is(r.ui.screen, 'listen');
  r = press(r.ui, s, ev('select'));
  assert.equal(r.actions, [{ type: 'live-listen', patch: { enabled: true } }]);
  r = press(r.ui, s, ev('down'), ev('select'));
  assert.equal(r.actions, [{ type: 'live-listen', patch: { source: 'server:1' } }], 'only encoder 1 is on air');
  assert.equal(listenSources(s), ['master', 'server:1']);
  const onServer = { ...s, liveListen: { ...s.liveListen, source: 'server:1', volume: 0.6 } };
  assert.equal(press(r.ui, onServer, ev('select')).actions, [{ type: 'live-listen', patch: { source: 'master' } }], 'and round again');
  r = press(r.ui, onServer, ev('down'), ev('select'));
  assert.equal(r.actions, [{ type: 'live-listen', patch: { volume: 0.5 } }], 'one step quieter: 60 % to 50 %');
  r = press(r.ui, { ...onServer, liveListen: { ...onServer.liveListen, volume: 0 } }, ev('select'));
  assert.equal(r.actions, [{ type: 'live-listen', patch: { volume: 1 } }], 'after silence comes full volume');
  r = press(r.ui, s, ev('down'), ev('select'));
  assert.equal([r.ui.screen, r.actions], ['menu', []]);
  const old = press({ ...initialUi(0), screen: 'listen', listenRow: 0 }, base, ev('select'));
  assert.match(old.ui.toast?.lines.join(' ') ?? '', /not available/);
  assert.is(actionPath({ type: 'live-listen', patch: {} }), '/api/live-listen');
  const refused = onActionDone(r.ui, { type: 'live-listen', patch: { source: 'server:9' } }, { status: 400, body: { error: 'encoder 9 is stopped' } }, 0);
  assert.equal(refused.toast?.lines, ['Live listen:', 'encoder 9 is stopped']);
});

test.run();
