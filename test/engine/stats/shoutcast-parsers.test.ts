// SHOUTcast stats parsers against the hand-written DNAS replies of test/fixtures/stats
// (PROTOCOLS.md §5.4–5.5) and Icecast's real 404 for the same URLs.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseDnas2Statistics, parseDnas2Stats, parseSevenHtml } from '../../../src/engine/stats/shoutcast-parsers.js';
import { fixture } from './fixtures.js';

test('DNAS 2 /statistics?json=1: each stream by id; bitrate is a string, maxlisteners "unlimited"', () => {
  const reply = fixture('dnas2-statistics.http');
  assert.match(reply.body, /"bitrate":"128"/);
  assert.match(reply.body, /"maxlisteners":"unlimited"/);
  assert.equal(parseDnas2Statistics(reply, 1), { kind: 'ok', current: 3, peak: 10, unique: 3, bitrate: 128, title: 'Artist - Title, Part 2' });
  assert.equal(parseDnas2Statistics(reply, 2), { kind: 'ok', current: 4, peak: 5, unique: 3, bitrate: 64, title: '' });
  assert.equal(parseDnas2Statistics(reply, 3), { kind: 'not_found' });
});

test('DNAS 2 /statistics?json=1 without streams (the key is omitted) → not found', () => {
  assert.equal(parseDnas2Statistics(fixture('dnas2-statistics-no-streams.http'), 1), { kind: 'not_found' });
});

test('DNAS 2 /statistics?json=1: truncated JSON, another JSON document, Icecast 404, 401', () => {
  assert.is(parseDnas2Statistics(fixture('dnas2-statistics-truncated.http'), 1).kind, 'malformed');
  assert.equal(parseDnas2Statistics({ status: 200, body: '{"icestats":{}}' }, 1), { kind: 'malformed', detail: 'not a DNAS 2 statistics reply' });
  assert.equal(parseDnas2Statistics({ status: 200, body: '"x"' }, 1), { kind: 'malformed', detail: 'not a JSON object' });
  assert.equal(parseDnas2Statistics(fixture('icecast-statistics-404.http'), 1), { kind: 'unavailable', detail: 'HTTP 404' });
  assert.equal(parseDnas2Statistics({ status: 401, body: '' }, 1), { kind: 'unauthorized' });
});

test('DNAS 2 /stats?sid=1&json=1: one stream at the top level', () => {
  assert.equal(parseDnas2Stats(fixture('dnas2-stats-sid1.http')), { kind: 'ok', current: 3, peak: 10, unique: 3, bitrate: 128, title: 'Artist - Title' });
  assert.equal(parseDnas2Stats({ status: 200, body: '{"version":"2.6"}' }), { kind: 'malformed', detail: 'no "currentlisteners"' });
  assert.is(parseDnas2Stats({ status: 200, body: 'callback({"currentlisteners":1})' }).kind, 'malformed', 'JSONP is not JSON');
  assert.equal(parseDnas2Stats({ status: 403, body: '' }), { kind: 'unauthorized' });
});

test('DNAS 1 7.html: commas in the title survive (split at the first six commas only)', () => {
  const reply = fixture('dnas1-7.html.http');
  assert.equal(parseSevenHtml(reply), { kind: 'ok', current: 5, peak: 12, unique: 4, bitrate: 128, title: 'Simon, Garfunkel - Mrs. Robinson, Live' });
});

test('DNAS 2 7.html: UNLIMITED max and an XML-escaped title', () => {
  assert.equal(parseSevenHtml(fixture('dnas2-7.html.http')), { kind: 'ok', current: 3, peak: 10, unique: 3, bitrate: 128, title: 'Rock & Roll, Part 1' });
});

test('7.html: not a 7-field line, a 404 page, a 401', () => {
  assert.equal(parseSevenHtml(fixture('dnas1-7.html-garbage.http')), { kind: 'malformed', detail: 'not a 7.html line' });
  assert.equal(parseSevenHtml({ status: 200, body: '<body>a,b,c,d,e,f,g</body>' }), { kind: 'malformed', detail: 'not a 7.html line' });
  assert.equal(parseSevenHtml(fixture('icecast-statistics-404.http')), { kind: 'unavailable', detail: 'HTTP 404' });
  assert.equal(parseSevenHtml({ status: 401, body: '' }), { kind: 'unauthorized' });
  assert.equal(parseSevenHtml({ status: 200, body: '0,0,0,32,0,0,' }), { kind: 'ok', current: 0, peak: 0, unique: 0, bitrate: 0, title: '' }, 'bare line, no source');
});

test.run();
