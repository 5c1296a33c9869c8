// The TOML subset of rackcast-setup.toml (src/image-setup/toml.ts): what it reads, and what it refuses with the line.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TomlError, parseToml } from '../../src/image-setup/toml.js';

test('keys at the top and in tables; strings, integers, booleans; comments', () => {
  const doc = parseToml([
    '\uFEFF# presets',
    'hostname = "studio-a"  # the LAN name',
    "config = 'rackcast-config.json'",
    'port = 8_000',
    'on = true',
    '',
    '[wifi]',
    'ssid = "Caf\\u00e9 \\"Zwei\\""',
    'psk = "a\\\\b"',
  ].join('\r\n'));
  assert.equal(doc.top, { hostname: 'studio-a', config: 'rackcast-config.json', port: 8000, on: true });
  assert.equal(doc.tables, { wifi: { ssid: 'Café "Zwei"', psk: 'a\\b' } });
});

test('refused with the line: a bare word, a missing quote, a duplicate, garbage after a value, an array', () => {
  const cases: [string, RegExp][] = [
    ['a = 1\nhostname = studio', /^line 2: "studio" is not a value/],
    ['hostname = "studio', /^line 1: a string without its closing "/],
    ['a = 1\na = 2', /^line 2: a is set twice/],
    ['[wifi]\n[wifi]', /^line 2: \[wifi\] appears twice/],
    ['a = "x" y', /^line 1: unexpected "y"/],
    ['a = [1, 2]', /^line 1: "\[1," is not a value/],
    ['just words', /^line 1: expected key = value/],
    ['a = "\\q"', /^line 1: unknown escape \\q/],
  ];
  for (const [text, message] of cases) {
    try {
      parseToml(text);
      assert.unreachable(text);
    } catch (err) {
      assert.instance(err, TomlError, text);
      assert.match((err as Error).message, message);
    }
  }
});

test.run();
