// The home screen, read from across the rack:
//
//   ON AIR          2/3     big: on air (inverted, like a studio light) or OFF AIR; streams up/total
//                   REC     a recorder (file encoder) is recording
//   Main MP3     LIVE   12  one row per encoder: name, state, listeners
//   Backup AAC   RETRY
//   ▬▬▬▬▬▬▬▬▬▬▬▬▬▬▬▬▬▬▬▬▬    input level, one bar per channel
//   SERVER DOWN Backup AAC  the alarm line (inverted), alarms taking turns every 3 s; without an alarm,
//                           the station's name
import type { Framebuffer } from '../framebuffer.js';
import { drawText, drawTextRight, fit } from '../font.js';
import type { PanelEncoder, PanelStatus } from '../api-types.js';
import { panelAlarms } from '../alarms.js';
import { HOME_ROWS, type UiState } from '../ui.js';
import { levelBars, listenersShort } from './widgets.js';

export const STATE_WORD: Record<string, string> = {
  streaming: 'LIVE',
  connecting: 'CONN',
  retrying: 'RETRY',
  failed: 'FAIL',
  disabled: 'off',
};

export const ALARM_TURN_MS = 3000;

function encoderRow(fb: Framebuffer, y: number, e: PanelEncoder): void {
  drawText(fb, 0, y, fit(e.name, 11));
  const word = e.recording !== null && e.state === 'streaming' ? 'REC' : (STATE_WORD[e.state] ?? e.state.slice(0, 5).toUpperCase());
  const bad = e.state === 'retrying' || e.state === 'failed';
  drawText(fb, 72, y, word, { invert: bad });
  if (e.listeners !== null) drawTextRight(fb, 128, y, listenersShort(e.listeners));
}

export function drawHome(fb: Framebuffer, status: PanelStatus, ui: UiState, nowMs: number): void {
  const encoders = status.encoders;
  // On air means streams; recorders (file encoders) show as REC instead.
  const streams = encoders.filter((e) => e.recording === null);
  const live = streams.filter((e) => e.state === 'streaming').length;
  const recording = encoders.some((e) => e.recording === true);
  if (streams.length === 0) drawText(fb, 1, 1, recording ? 'RECORDING' : 'NO STREAMS', { scale: 2, invert: recording });
  else if (live > 0) drawText(fb, 1, 1, 'ON AIR', { scale: 2, invert: true });
  else drawText(fb, 1, 1, 'OFF AIR', { scale: 2 });
  if (streams.length > 0) drawTextRight(fb, 128, 0, `${live}/${streams.length}`);
  if (streams.length > 0 && recording) drawTextRight(fb, 127, 9, 'REC', { invert: true });

  if (encoders.length === 0) {
    drawText(fb, 0, 20, 'Add encoders on the');
    drawText(fb, 0, 29, 'web page.');
  }
  const first = Math.max(0, Math.min(ui.homeScroll, encoders.length - HOME_ROWS));
  const visible = encoders.slice(first, first + HOME_ROWS);
  const hiddenBelow = encoders.length - first - HOME_ROWS;
  visible.forEach((e, i) => {
    const y = 18 + i * 9;
    if (i === HOME_ROWS - 1 && hiddenBelow > 0) drawText(fb, 0, y, `+${hiddenBelow + 1} more ▼`);
    else encoderRow(fb, y, e);
  });

  if (status.capture.state !== 'no_input') levelBars(fb, status.capture.levels, 0, 45, 128, 10);

  const alarms = panelAlarms(status);
  if (alarms.length > 0) {
    const alarm = alarms[Math.floor(nowMs / ALARM_TURN_MS) % alarms.length] ?? '';
    fb.fillRect(0, 55, 128, 9);
    drawText(fb, 1, 56, fit(alarm, 21), { invert: true });
  } else if (status.stationName) {
    drawText(fb, 1, 56, fit(status.stationName, 21));
  }
}
