// Loads a recorded reply from test/fixtures/stats (status line, headers, blank line, body).
import { readFileSync } from 'node:fs';
import type { HttpReply } from '../../../src/engine/stats/types.js';

export const FIXTURE_DIR = new URL('../../fixtures/stats/', import.meta.url).pathname;

export interface RecordedReply extends HttpReply {
  headers: Map<string, string>;
  raw: string;
}

export function fixture(name: string): RecordedReply {
  const raw = readFileSync(FIXTURE_DIR + name, 'utf8');
  const split = raw.indexOf('\r\n\r\n');
  if (split < 0) throw new Error(`${name}: no blank line after the headers`);
  const [statusLine = '', ...headerLines] = raw.slice(0, split).split('\r\n');
  const status = Number(/^HTTP\/\d\.\d (\d{3})/.exec(statusLine)?.[1]);
  if (!Number.isInteger(status)) throw new Error(`${name}: bad status line ${statusLine}`);
  const headers = new Map(headerLines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()] as const));
  return { status, body: raw.slice(split + 4), headers, raw };
}
