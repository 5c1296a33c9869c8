// Parsing of `rackcast panel` flags: each flag is also a RACKCAST_PANEL_* environment variable
// (flags win). Pure, for tests; errors name the flag.
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import type { DisplaySpec } from './display/display.js';
import { authorizationFor } from './engine-link.js';

export type ButtonsKind = 'gpio' | 'stdin';

export interface PanelFlags {
  apiUrl: string;
  display: DisplaySpec;
  buttons: ButtonsKind;
  pinsPath: string;
  /** Send each frame to the engine for the web page's OLED mirror. */
  mirror: boolean;
  /** The Authorization header, from RACKCAST_API_TOKEN or RACKCAST_ADMIN_PASSWORD; null = none. */
  authorization: string | null;
}

export const PANEL_USAGE = `usage: rackcast panel [--api URL] [--display SPEC] [--buttons gpio|stdin] [--pins FILE] [--no-mirror]
  --api URL       the engine's HTTP API (default http://127.0.0.1:8080)
  --display SPEC  ssd1306[:BUS[:ADDR]] or sh1106[:BUS[:ADDR]]: an OLED on I2C (default ssd1306:1:0x3c);
                  png:PATH: the simulator, writing each new frame to PATH
  --buttons KIND  gpio: push buttons on the pins of --pins (default); stdin: lines such as
                  "press startstop", "hold startstop", "press record", "press up|down|select"
  --pins FILE     the button pin map, BCM numbers (default device/pins.json)
  --no-mirror     do not send frames to the engine for the web page's OLED mirror
Each flag may also be given as an environment variable: RACKCAST_PANEL_API, RACKCAST_PANEL_DISPLAY,
RACKCAST_PANEL_BUTTONS, RACKCAST_PANEL_PINS, RACKCAST_PANEL_MIRROR=0.
Credentials for the engine: RACKCAST_API_TOKEN (preferred) or RACKCAST_ADMIN_PASSWORD.`;

export class PanelUsageError extends Error {}

export const DEFAULT_PINS_PATH = fileURLToPath(new URL('../../device/pins.json', import.meta.url));

/** `ssd1306`, `sh1106:0`, `ssd1306:1:0x3d`, `png:/tmp/panel.png`. */
export function parseDisplaySpec(spec: string): DisplaySpec {
  if (spec.startsWith('png:')) {
    const path = spec.slice(4);
    if (!path) throw new PanelUsageError('--display png:PATH needs a file path after "png:"');
    return { kind: 'png', path };
  }
  const [kind, busText = '1', addressText = '0x3c', ...extra] = spec.split(':');
  if (kind !== 'ssd1306' && kind !== 'sh1106') {
    throw new PanelUsageError(`--display must be ssd1306[:BUS[:ADDR]], sh1106[:BUS[:ADDR]] or png:PATH, not "${spec}"`);
  }
  if (extra.length) throw new PanelUsageError(`--display ${spec}: too many parts (${kind}:BUS:ADDR)`);
  const bus = Number(busText);
  if (!/^\d+$/.test(busText) || bus > 255) throw new PanelUsageError(`--display ${spec}: the I2C bus must be a number such as 1 (/dev/i2c-1)`);
  const address = /^0x[0-9a-f]+$/i.test(addressText) ? parseInt(addressText.slice(2), 16) : /^\d+$/.test(addressText) ? Number(addressText) : NaN;
  // 7-bit I2C addresses outside 0x03-0x77 are reserved.
  if (!(address >= 0x03 && address <= 0x77)) throw new PanelUsageError(`--display ${spec}: the I2C address must be 0x03-0x77, such as 0x3c`);
  return { kind, bus, address };
}

function parseApiUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new PanelUsageError(`--api must be a URL such as http://127.0.0.1:8080, not "${text}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new PanelUsageError('--api must be an http:// or https:// URL');
  if (url.search || url.hash) throw new PanelUsageError('--api must not have a query or fragment');
  return url.href.replace(/\/+$/, '');
}

export function parsePanelFlags(args: string[], env: NodeJS.ProcessEnv): PanelFlags {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      options: {
        api: { type: 'string' },
        display: { type: 'string' },
        buttons: { type: 'string' },
        pins: { type: 'string' },
        'no-mirror': { type: 'boolean' },
      },
    }));
  } catch (err) {
    throw new PanelUsageError(err instanceof Error ? err.message : String(err));
  }
  const buttons = values.buttons ?? env.RACKCAST_PANEL_BUTTONS ?? 'gpio';
  if (buttons !== 'gpio' && buttons !== 'stdin') throw new PanelUsageError(`--buttons must be gpio or stdin, not "${buttons}"`);
  const mirrorEnv = env.RACKCAST_PANEL_MIRROR;
  if (mirrorEnv !== undefined && !['0', '1', 'true', 'false'].includes(mirrorEnv)) {
    throw new PanelUsageError('RACKCAST_PANEL_MIRROR must be 0 or 1');
  }
  return {
    apiUrl: parseApiUrl(values.api ?? env.RACKCAST_PANEL_API ?? 'http://127.0.0.1:8080'),
    display: parseDisplaySpec(values.display ?? env.RACKCAST_PANEL_DISPLAY ?? 'ssd1306:1:0x3c'),
    buttons,
    pinsPath: values.pins ?? env.RACKCAST_PANEL_PINS ?? DEFAULT_PINS_PATH,
    mirror: !(values['no-mirror'] ?? (mirrorEnv === '0' || mirrorEnv === 'false')),
    authorization: authorizationFor(env),
  };
}
