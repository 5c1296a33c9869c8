// Live listen from the front panel: on/off, the source (the programme, or a stream as its server
// delivers it) and the volume, one row each; select changes the highlighted row, "Back" returns.
import type { Framebuffer } from '../framebuffer.js';
import { drawText, fit } from '../font.js';
import type { PanelStatus } from '../api-types.js';
import { LISTEN_ROWS, type UiState } from '../ui.js';
import { titleBar } from './widgets.js';

function sourceLabel(status: PanelStatus, source: string): string {
  if (source === 'master') return 'Programme';
  const m = source.match(/^(server|encoder):(\d+)$/);
  const e = m ? status.encoders.find((x) => x.id === Number(m[2])) : undefined;
  return e ? `${m![1] === 'server' ? 'Air' : 'Enc'} ${e.name}` : source;
}

export function drawListen(fb: Framebuffer, status: PanelStatus, ui: UiState): void {
  titleBar(fb, 'LIVE LISTEN');
  const ll = status.liveListen;
  if (!ll) {
    drawText(fb, 0, 20, 'Not available on');
    drawText(fb, 0, 30, 'this engine');
    return;
  }
  const rows: Record<(typeof LISTEN_ROWS)[number], string> = {
    on: `Listen ${ll.enabled ? 'ON' : 'off'}`,
    source: `Src ${sourceLabel(status, ll.source)}`,
    volume: `Vol ${Math.round(ll.volume * 100)} %`,
    back: 'Back',
  };
  LISTEN_ROWS.forEach((row, i) => {
    const y = 12 + i * 10;
    const selected = i === ui.listenRow;
    drawText(fb, 2, y, fit(`${selected ? '▶' : ' '} ${rows[row]}`, 20));
    if (selected) fb.invertRect(0, y - 1, 128, 9);
  });
  drawText(fb, 0, 54, fit(ll.enabled ? ll.status_text : 'Headphones off', 21));
}
