// device/pins.json: which header pin (BCM number) each button is on, and the optional alarm output (a
// relay driver or an LED, closed while there is an alarm). Parsed with errors that name the field,
// because an engineer edits this file on the box.
import { readFile } from 'node:fs/promises';
import { BUTTON_NAMES, type ButtonName } from './button-logic.js';

export interface PinMap {
  /** Buttons pull the pin to ground (internal pull-ups on): pressed reads 0. */
  activeLow: boolean;
  buttons: Record<ButtonName, number>;
  /** The alarm relay/LED pin; absent when the box has none. */
  alarmOutput?: { bcm: number; activeLow: boolean };
}

/** BCM 2 and 3 are the I2C bus the OLED sits on. */
const RESERVED: Record<number, string> = { 2: 'I2C SDA (the OLED)', 3: 'I2C SCL (the OLED)' };

export function parsePinMap(json: unknown): PinMap {
  if (typeof json !== 'object' || json === null) throw new Error('pins.json: must be a JSON object');
  const o = json as Record<string, unknown>;
  if (o.active_low !== undefined && typeof o.active_low !== 'boolean') throw new Error('pins.json: active_low must be true or false');
  const buttons = o.buttons;
  if (typeof buttons !== 'object' || buttons === null) throw new Error('pins.json: buttons must be an object of name → BCM number');
  const b = buttons as Record<string, unknown>;
  const out: Partial<Record<ButtonName, number>> = {};
  const used = new Map<number, string>();
  for (const name of BUTTON_NAMES) {
    const pin = b[name];
    if (typeof pin !== 'number' || !Number.isInteger(pin) || pin < 0 || pin > 27) {
      throw new Error(`pins.json: buttons.${name} must be a BCM number 0-27`);
    }
    if (RESERVED[pin]) throw new Error(`pins.json: buttons.${name}: BCM ${pin} is ${RESERVED[pin]}`);
    const other = used.get(pin);
    if (other) throw new Error(`pins.json: buttons.${name}: BCM ${pin} is already buttons.${other}`);
    used.set(pin, name);
    out[name] = pin;
  }
  for (const key of Object.keys(b)) {
    if (!(BUTTON_NAMES as readonly string[]).includes(key)) throw new Error(`pins.json: buttons.${key} is not a button (${BUTTON_NAMES.join(', ')})`);
  }
  const alarmOutput = parseAlarmOutput(o.alarm_output, used);
  return { activeLow: o.active_low ?? true, buttons: out as Record<ButtonName, number>, ...(alarmOutput ? { alarmOutput } : {}) };
}

function parseAlarmOutput(v: unknown, used: Map<number, string>): PinMap['alarmOutput'] | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'object' || Array.isArray(v)) throw new Error('pins.json: alarm_output must be an object like {"bcm": 25, "active_low": false}');
  const a = v as Record<string, unknown>;
  const pin = a.bcm;
  if (typeof pin !== 'number' || !Number.isInteger(pin) || pin < 0 || pin > 27) throw new Error('pins.json: alarm_output.bcm must be a BCM number 0-27');
  if (RESERVED[pin]) throw new Error(`pins.json: alarm_output.bcm: BCM ${pin} is ${RESERVED[pin]}`);
  const other = used.get(pin);
  if (other) throw new Error(`pins.json: alarm_output.bcm: BCM ${pin} is already buttons.${other}`);
  if (a.active_low !== undefined && typeof a.active_low !== 'boolean') throw new Error('pins.json: alarm_output.active_low must be true or false');
  for (const key of Object.keys(a)) if (key !== 'bcm' && key !== 'active_low') throw new Error(`pins.json: alarm_output.${key} is not a known field (bcm, active_low)`);
  return { bcm: pin, activeLow: a.active_low ?? false };
}

export async function loadPinMap(path: string): Promise<PinMap> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read the pin map ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`${path} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  return parsePinMap(json);
}
