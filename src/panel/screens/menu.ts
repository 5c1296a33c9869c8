// The menu: up/down move the highlighted row, select opens it. Six rows of 9 dots fit under the title;
// past the sixth the list scrolls so the highlighted row stays the last one shown.
import type { Framebuffer } from '../framebuffer.js';
import { drawText } from '../font.js';
import { MENU, MENU_ROWS, type UiState } from '../ui.js';
import { titleBar } from './widgets.js';

export function drawMenu(fb: Framebuffer, ui: UiState): void {
  titleBar(fb, 'MENU');
  const first = Math.max(0, ui.menuIndex - (MENU_ROWS - 1));
  MENU.slice(first, first + MENU_ROWS).forEach((item, row) => {
    const y = 11 + row * 9;
    const selected = first + row === ui.menuIndex;
    drawText(fb, 2, y, `${selected ? '▶' : ' '} ${item.label}`);
    if (selected) fb.invertRect(0, y - 1, 128, 9);
  });
}
