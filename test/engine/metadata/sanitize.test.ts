import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MAX_FIELD_CHARS, MAX_RAW_CHARS, capChars, checkField, cleanText, decodeText, icySafe, songOf, splitSong, trackFrom } from '../../../src/engine/metadata/sanitize.js';

test('cleanText: one line, no controls, single spaces, trimmed', () => {
  assert.is(cleanText('  Artist\r\n-\tTitle  '), 'Artist - Title');
  assert.is(cleanText('a\u0000b\u0007c\u007fd\u009be'), 'abcde');
  assert.is(cleanText('x\u2028y\u2029z'), 'x y z');
  assert.is(cleanText('\ufeffBOM'), 'BOM');
  assert.is(cleanText('evil\u202etxt.exe'), 'eviltxt.exe', 'bidi override removed');
  assert.is(cleanText('   '), '');
});

test('cleanText: valid Unicode: lone surrogates dropped, NFC', () => {
  assert.is(cleanText('a\ud800b\udc00c'), 'abc');
  assert.is(cleanText('😀 ok'), '😀 ok', 'a real pair stays');
  assert.is(cleanText('Cafe\u0301'), 'Café', 'decomposed é becomes one character');
  assert.is(cleanText('Cafe\u0301').length, 4);
});

test('capChars cuts by code point, never inside a pair', () => {
  assert.is(capChars('abcdef', 3), 'abc');
  assert.is(capChars('😀😀😀', 2), '😀😀');
  assert.is(capChars('ab ', 3), 'ab ');
  assert.is(capChars('ab cd', 3), 'ab');
  const long = 'é'.repeat(300);
  assert.is(Array.from(cleanText(long)).length, MAX_FIELD_CHARS);
});

test('checkField refuses binary, invalid UTF-8 and absurd length; caps the rest', () => {
  assert.equal(checkField(undefined, 'title'), { ok: true, value: '' });
  assert.equal(checkField(42, 'title'), { ok: false, reason: 'binary', message: 'title must be text' });
  assert.equal(checkField('a\u0000b', 'artist'), { ok: false, reason: 'binary', message: 'artist contains binary data or is not valid UTF-8' });
  assert.equal(checkField('bad \ufffd byte', 'title'), { ok: false, reason: 'binary', message: 'title contains binary data or is not valid UTF-8' });
  assert.equal(checkField('x'.repeat(MAX_RAW_CHARS + 1), 'title'), { ok: false, reason: 'too_long', message: `title is longer than ${MAX_RAW_CHARS} characters` });
  const capped = checkField('y'.repeat(1000), 'title');
  assert.ok(capped.ok && capped.value.length === MAX_FIELD_CHARS);
});

test('splitSong / songOf', () => {
  assert.equal(splitSong('Artist - Title'), { artist: 'Artist', title: 'Title' });
  assert.equal(splitSong('A - B - C'), { artist: 'A', title: 'B - C' }, 'first separator only');
  assert.equal(splitSong('Just a title'), { artist: '', title: 'Just a title' });
  assert.equal(splitSong(' - leading'), { artist: '', title: ' - leading' });
  assert.equal(splitSong('Trailing - '), { artist: '', title: 'Trailing - ' });
  assert.equal(splitSong('Jean-Michel Jarre - Oxygène'), { artist: 'Jean-Michel Jarre', title: 'Oxygène' });
  assert.is(songOf({ artist: 'A', title: 'T' }), 'A - T');
  assert.is(songOf({ artist: '', title: 'T' }), 'T');
});

test('trackFrom: {artist, title} or {song}; song wins; each field capped separately', () => {
  assert.equal(trackFrom({ artist: ' Café ', title: "Don't\nStop" }), { ok: true, value: { artist: 'Café', title: "Don't Stop" } });
  assert.equal(trackFrom({ song: 'Müller - 日本' }), { ok: true, value: { artist: 'Müller', title: '日本' } });
  assert.equal(trackFrom({ song: 'S - T', artist: 'x', title: 'y' }), { ok: true, value: { artist: 'S', title: 'T' } });
  assert.equal(trackFrom({ title: 'Only' }), { ok: true, value: { artist: '', title: 'Only' } });
  assert.equal(trackFrom({ artist: 'No title' }), { ok: false, reason: 'empty', message: 'title (or song) is required and must not be empty' });
  assert.equal(trackFrom({ title: '\u0001\u0002' }).ok, false);
  const long = trackFrom({ song: `${'a'.repeat(300)} - ${'b'.repeat(300)}` });
  assert.ok(long.ok);
  if (long.ok) {
    assert.is(long.value.artist.length, MAX_FIELD_CHARS);
    assert.is(long.value.title.length, MAX_FIELD_CHARS, 'the title is not lost to a long artist');
  }
});

test("icySafe breaks up `';` only", () => {
  assert.is(icySafe("Don't';stop", true), "Don't\u2019;stop");
  assert.is(icySafe("Don't';stop", false), "Don't' ;stop");
  assert.is(icySafe("Rock 'n' Roll; live", true), "Rock 'n' Roll; live");
  assert.is(icySafe("a';b';c", true), 'a\u2019;b\u2019;c');
});

test('decodeText: UTF-8, else Windows-1252; binary and long refused', () => {
  assert.equal(decodeText(Buffer.from('Café 日本', 'utf8')), { ok: true, value: 'Café 日本' });
  assert.equal(decodeText(Buffer.from([0x43, 0x61, 0x66, 0xe9, 0x20, 0x92, 0x73])), { ok: true, value: 'Café ’s' });
  assert.equal(decodeText(Buffer.from([0xef, 0xbb, 0xbf, 0x41])), { ok: true, value: 'A' }, 'UTF-8 BOM dropped');
  assert.equal(decodeText(Buffer.from('a\tb\r', 'utf8')), { ok: true, value: 'a\tb\r' });
  assert.equal(decodeText(Buffer.from([0x41, 0x00, 0x42])), { ok: false, reason: 'binary', message: 'contains control bytes (binary data)' });
  assert.equal(decodeText(Buffer.from([0x41, 0x1b, 0x42])).ok, false);
  assert.equal(decodeText(Buffer.alloc(10, 0x41), 5), { ok: false, reason: 'too_long', message: 'longer than 5 bytes' });
});

test.run();
