// One encoder in detail: state in big letters, the engine's status text, the last error, listeners,
// time on air and bytes sent. Up/down step through the encoders.
import type { Framebuffer } from '../framebuffer.js';
import { drawText, fit } from '../font.js';
import type { PanelStatus } from '../api-types.js';
import type { UiState } from '../ui.js';
import { bytes, duration, titleBar } from './widgets.js';

const BIG_STATE: Record<string, string> = {
  streaming: 'ON AIR',
  connecting: 'CONNECTING',
  retrying: 'RETRYING',
  failed: 'FAILED',
  disabled: 'OFF',
};

/** Breaks `text` at spaces into lines of at most `width` characters (a longer word is cut by fit()). */
export function wordWrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

export function drawEncoder(fb: Framebuffer, status: PanelStatus, ui: UiState): void {
  const n = status.encoders.length;
  if (n === 0) {
    titleBar(fb, 'ENCODERS');
    drawText(fb, 0, 20, 'No encoders yet.');
    drawText(fb, 0, 30, 'Add them on the web');
    drawText(fb, 0, 39, 'page.');
    return;
  }
  const index = Math.min(ui.encoderIndex, n - 1);
  const e = status.encoders[index]!;
  titleBar(fb, e.name, `${index + 1}/${n}`);
  const big = BIG_STATE[e.state] ?? e.state.toUpperCase();
  drawText(fb, 1, 12, fit(big, 10), { scale: 2, invert: e.state === 'streaming' });
  const lines: string[] = [];
  if (e.status_text && e.state !== 'streaming' && e.status_text.toUpperCase() !== big) lines.push(e.status_text);
  if (e.last_error && e.state !== 'streaming') lines.push(...wordWrap(e.last_error, 21).slice(0, 2));
  if (e.state === 'streaming') lines.push(`up ${duration(e.uptime_secs)}`);
  const facts = [e.listeners !== null ? `${e.listeners} listening` : '', e.bytes_sent > 0 ? bytes(e.bytes_sent) : ''].filter(Boolean);
  if (facts.length) lines.push(facts.join(', '));
  if (e.recording === true) lines.push('recording');
  lines.slice(0, 4).forEach((line, i) => drawText(fb, 0, 29 + i * 9, fit(line, 21)));
}
