// The panel states whose frames are kept as reviewed reference images (test/panel/reference/*.png).
// Shared by scripts/panel-references.ts, which writes the images, and test/panel/screens.test.ts,
// which compares against them.
import type { PanelEncoder, PanelStatus } from '../../src/panel/api-types.js';
import type { PanelView } from '../../src/panel/screens/render.js';
import { initialUi, type UiState } from '../../src/panel/ui.js';

const NOW = 1_800_000_000_000; // a multiple of 2..6 alarm turns (3 s each): the first alarm shows

function encoder(id: number, name: string, state: string, over: Partial<PanelEncoder> = {}): PanelEncoder {
  const text: Record<string, string> = { streaming: 'Streaming', disabled: 'Stopped', connecting: 'Connecting', retrying: 'Retrying (3/∞)', failed: 'Failed' };
  return { id, name, state, status_text: text[state] ?? state, last_error: null, uptime_secs: 0, bytes_sent: 0, listeners: null, recording: null, ...over };
}

const levels = [
  { peakDbfs: -6, rmsDbfs: -18 },
  { peakDbfs: -9, rmsDbfs: -21 },
];

function status(encoders: PanelEncoder[], over: Partial<PanelStatus['capture']> = {}): PanelStatus {
  return { capture: { state: 'running', device: 'hw:1,0', error: null, levels, ...over }, encoders, alarms: [], liveListen: null };
}

const net = { address: '192.168.1.20', hostname: 'rackcast-studio1', pageUrl: 'http://192.168.1.20:8080/' };
const ui = (over: Partial<UiState> = {}): UiState => ({ ...initialUi(NOW - 1000), ...over });

function view(over: Partial<PanelView>): PanelView {
  return { link: { kind: 'up' }, status: null, ui: ui(), net, apiLabel: '127.0.0.1:8080', nowMs: NOW, ...over };
}

const onAir = status([
  encoder(1, 'Main MP3', 'streaming', { listeners: 42, uptime_secs: 3725, bytes_sent: 59_600_000 }),
  encoder(2, 'Mobile AAC', 'streaming', { listeners: 7, uptime_secs: 3725, bytes_sent: 14_900_000 }),
]);

const trouble = status([
  encoder(1, 'Main MP3', 'streaming', { listeners: 42 }),
  encoder(2, 'Backup AAC', 'retrying', { last_error: 'server unreachable (connection refused)' }),
  encoder(3, 'Logger FLAC', 'streaming', { recording: true, status_text: 'Recording' }),
]);

export const REFERENCE_VIEWS: Record<string, PanelView> = {
  'home-on-air': view({ status: onAir }),
  'home-server-down': view({ status: trouble }),
  'home-off-air-no-input': view({
    status: status([encoder(1, 'Main MP3', 'disabled'), encoder(2, 'Mobile AAC', 'disabled')], {
      state: 'no_input',
      error: 'sound card "hw:1,0" not found',
      levels: [],
    }),
  }),
  'home-many-encoders': view({
    status: status([
      encoder(1, 'Main MP3 128k', 'streaming', { listeners: 1234 }),
      encoder(2, 'Mobile AAC 48k', 'streaming', { listeners: 88 }),
      encoder(3, 'Opus 96k', 'connecting'),
      encoder(4, 'FLAC studio', 'failed', { last_error: 'wrong password' }),
      encoder(5, 'SHOUTcast relay', 'streaming', { listeners: 3 }),
    ], { levels: [{ peakDbfs: -1, rmsDbfs: -9 }] }),
  }),
  'home-no-encoders': view({ status: status([]) }),
  'home-recorder-only': view({ status: status([encoder(1, 'Logger FLAC', 'streaming', { recording: true, status_text: 'Recording' })]) }),
  'encoder-streaming': view({ status: onAir, ui: ui({ screen: 'encoder', encoderIndex: 0 }) }),
  'encoder-retrying': view({ status: trouble, ui: ui({ screen: 'encoder', encoderIndex: 1 }) }),
  network: view({ status: onAir, ui: ui({ screen: 'network' }) }),
  menu: view({ status: onAir, ui: ui({ screen: 'menu', menuIndex: 1 }) }),
  // The seventh row scrolls the list: the highlighted row stays the last one shown.
  'menu-scrolled': view({ status: onAir, ui: ui({ screen: 'menu', menuIndex: 6 }) }),
  // The programme is back, auto_return is off: the fallback stays on air until someone releases it.
  'home-fallback-held': view({ status: { ...onAir, fallback: { active: true, held: true } } }),
  'live-listen': view({
    status: { ...onAir, liveListen: { enabled: true, source: 'server:1', volume: 0.75, state: 'playing', status_text: 'Playing server:1 on "hw:CARD=Headphones,DEV=0"' } },
    ui: ui({ screen: 'listen', listenRow: 1 }),
  }),
  'engine-not-running': view({ link: { kind: 'down', reason: 'connection refused' } }),
  connecting: view({ link: { kind: 'connecting' } }),
  'no-access': view({ link: { kind: 'unauthorised' } }),
  locked: view({ link: { kind: 'unauthorised', locked: true } }),
  // The image: the panel has its token from the first boot, so its link is up while the engine waits for the setup.
  'setup-code': view({ status: onAir, setupCode: '4821-0937' }),
  'toast-hold-to-stop': view({ status: onAir, ui: ui({ toast: { lines: ['Hold 2 s', 'to stop all streams'], untilMs: NOW + 2000 } }) }),
  'toast-recording-not-available': view({ status: onAir, ui: ui({ toast: { lines: ['Recording', 'not available'], untilMs: NOW + 2000 } }) }),
};
