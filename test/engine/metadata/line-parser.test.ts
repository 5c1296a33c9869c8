import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compilePattern, parseLine } from '../../../src/engine/metadata/line-parser.js';

function pattern(source: string): RegExp {
  const c = compilePattern(source);
  if (!c.ok) throw new Error(c.message);
  return c.regex;
}

test('default format: "Artist - Title"', () => {
  assert.equal(parseLine('Daft Punk - One More Time', null), { ok: true, value: { artist: 'Daft Punk', title: 'One More Time' } });
  assert.equal(parseLine('Daft Punk - One More Time\r', null), { ok: true, value: { artist: 'Daft Punk', title: 'One More Time' } });
  assert.equal(parseLine('\ufeffJingle', null), { ok: true, value: { artist: '', title: 'Jingle' } });
  assert.equal(parseLine('   ', null), { ok: false, reason: 'empty', message: 'no title in the line' });
});

test('a long line keeps both fields, each capped', () => {
  const r = parseLine(`${'a'.repeat(400)} - ${'t'.repeat(400)}`, null);
  assert.ok(r.ok);
  if (r.ok) assert.equal([r.value.artist.length, r.value.title.length], [255, 255]);
});

test('a pattern with named groups', () => {
  const p = pattern('^(?<title>.+?) / (?<artist>.+)$');
  assert.equal(parseLine('Title Here / Some Band', p), { ok: true, value: { artist: 'Some Band', title: 'Title Here' } });
  assert.equal(parseLine('no separator', p), { ok: false, reason: 'no_match', message: 'line does not match the pattern' });
  const xml = pattern('<artist>(?<artist>[^<]*)</artist><title>(?<title>[^<]*)</title>');
  assert.equal(parseLine('<np><artist>Ä &amp; B</artist><title>Song</title></np>', xml), { ok: true, value: { artist: 'Ä &amp; B', title: 'Song' } });
  const titleOnly = pattern('^NOW: (?<title>.*)$');
  assert.equal(parseLine('NOW: News', titleOnly), { ok: true, value: { artist: '', title: 'News' } });
  assert.equal(parseLine('NOW:   ', titleOnly), { ok: false, reason: 'empty', message: 'no title in the line' });
});

test('compilePattern names what is wrong', () => {
  assert.equal(compilePattern('(?<artist>.*)'), { ok: false, message: 'must have a named group (?<title>...)' });
  const bad = compilePattern('(?<title>[');
  assert.is(bad.ok, false);
  if (!bad.ok) assert.match(bad.message, /^is not a valid regular expression/);
  assert.equal(compilePattern('x'.repeat(501)), { ok: false, message: 'must be at most 500 characters' });
  assert.ok(compilePattern('(?<title>.*)').ok);
});

test.run();
