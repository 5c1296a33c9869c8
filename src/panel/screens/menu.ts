// The menu: up/down move the highlighted row, select opens it. Six rows of 9 dots fit under the title.
import type { Framebuffer } from '../framebuffer.js';
import { drawText } from '../font.js';
import { MENU, type UiState } from '../ui.js';
import { titleBar } from './widgets.js';

export function drawMenu(fb: Framebuffer, ui: UiState): void {
  titleBar(fb, 'MENU');
  MENU.forEach((item, i) => {
    const y = 11 + i * 9;
    const selected = i === ui.menuIndex;
    drawText(fb, 2, y, `${selected ? '▶' : ' '} ${item.label}`);
    if (selected) fb.invertRect(0, y - 1, 128, 9);
  });
}
