// The button simulator: one command a line on stdin (or any stream), as a test or an engineer at a
// terminal types them: `press startstop`, `hold startstop`, `press record`, `press up|down|select`.
// A press is reported as down + press and a hold as down + hold, the same sequence the GPIO
// driver produces.
import { createInterface } from 'node:readline';
import { BUTTON_NAMES, type ButtonEvent, type ButtonName } from './button-logic.js';
import type { ButtonSource } from './button-source.js';

export const STDIN_HELP = `commands: press|hold ${BUTTON_NAMES.join('|')}`;

/** One line → the events it stands for; an empty or comment line → []; anything else → an Error. */
export function parseButtonLine(line: string): ButtonEvent[] | Error {
  const words = line.trim().toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0 || words[0]?.startsWith('#')) return [];
  const [verb, name] = words;
  if (words.length !== 2 || (verb !== 'press' && verb !== 'hold')) return new Error(`not understood: "${line.trim()}"; ${STDIN_HELP}`);
  if (!(BUTTON_NAMES as readonly string[]).includes(name ?? '')) return new Error(`no button "${name}"; ${STDIN_HELP}`);
  const button = name as ButtonName;
  return [{ button, kind: 'down' }, { button, kind: verb }];
}

export class StdinButtons implements ButtonSource {
  readonly description = 'button simulator on stdin';
  private rl: ReturnType<typeof createInterface> | null = null;

  constructor(
    private readonly input: NodeJS.ReadableStream = process.stdin,
    private readonly complain: (message: string) => void = (m) => console.error(m),
  ) {}

  start(onEvent: (event: ButtonEvent) => void): void {
    this.rl = createInterface({ input: this.input, terminal: false });
    this.rl.on('line', (line) => {
      const parsed = parseButtonLine(line);
      if (parsed instanceof Error) return this.complain(parsed.message);
      for (const ev of parsed) onEvent(ev);
    });
  }

  async close(): Promise<void> {
    this.rl?.close();
  }
}
