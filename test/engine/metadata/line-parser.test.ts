import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compilePattern, parseLine, type LinePattern } from '../../../src/engine/metadata/line-parser.js';

function pattern(source: string): LinePattern {
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

test('a pattern that backtracks in JavaScript runs in linear time (RE2)', () => {
  // The pattern from issue 9: 31 bytes froze the engine for 51 s with RegExp.
  const p = pattern('^(?<title>(\\w+\\s?)*)$');
  const started = performance.now();
  assert.equal(parseLine('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!', p), { ok: false, reason: 'no_match', message: 'line does not match the pattern' });
  assert.equal(parseLine(`${'ab '.repeat(1300)}!`, p).ok, false);
  assert.equal(parseLine('Hello World', p), { ok: true, value: { artist: '', title: 'Hello World' } });
  assert.ok(performance.now() - started < 100, `took ${performance.now() - started} ms`);
});

test('what RE2 cannot do in linear time is refused, saying why', () => {
  for (const source of ['(?<title>(a)\\1)', '(?<title>x)\\k<title>', '(?<title>.+)(?= - )', '(?<!x)(?<title>.+)', '(?<title>.+)(?!y)']) {
    const c = compilePattern(source);
    assert.is(c.ok, false, source);
    if (!c.ok) assert.match(c.message, /^cannot be matched in linear time: backreferences .* and lookarounds .* are not supported \(RE2: /, source);
  }
  const huge = compilePattern('(?<title>((a{100}){100}){100})');
  assert.is(huge.ok, false);
  if (!huge.ok) assert.match(huge.message, /^is too large for the linear-time matcher/);
  // Unicode classes and named groups keep working.
  assert.equal(parseLine('Ökör — Dal', pattern('^(?<artist>\\p{L}+) — (?<title>\\p{L}+)$')), { ok: true, value: { artist: 'Ökör', title: 'Dal' } });
});

test.run();
