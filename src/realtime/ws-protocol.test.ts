import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseClientMessage } from './ws-protocol.js';

describe('parseClientMessage', () => {
  it('accepts the documented messages', () => {
    const cases = [
      { v: 1, type: 'subscribe', skills: '*' },
      { v: 1, type: 'subscribe', skills: ['a', 'b'], channels: ['snapshot', 'anomalies'] },
      { v: 1, type: 'unsubscribe' },
      { v: 1, type: 'get_trend', skill: 'a', hours: 168, id: 'r1' },
      { v: 1, type: 'ping', id: 3 },
    ];
    for (const c of cases) {
      const r = parseClientMessage(JSON.stringify(c));
      assert.ok(r.ok, JSON.stringify(c));
      assert.deepEqual(r.message, c);
    }
  });

  it('names the problem of a bad message and echoes its id', () => {
    const bad: [string, RegExp][] = [
      ['nope', /not valid JSON/],
      ['"text"', /JSON object/],
      ['null', /JSON object/],
      ['{"v":1}', /^type: must be one of subscribe, unsubscribe, get_trend, ping$/],
      ['{"v":1,"type":"subscribe","skills":"alpha"}', /^skills: /],
      ['{"v":1,"type":"subscribe","skills":["a"],"channels":["gossip"]}', /^channels\.0: /],
      ['{"type":"ping"}', /^v: /],
      ['{"v":1,"type":"get_trend","skill":"a","hours":169,"id":"q"}', /^hours: /],
      ['{"v":1,"type":"get_trend","skill":"a","hours":1.5}', /^hours: must be an integer/],
      ['{"v":1,"type":"ping","extra":true}', /extra/],
    ];
    for (const [raw, re] of bad) {
      const r = parseClientMessage(raw);
      assert.ok(!r.ok, raw);
      assert.equal(r.error.type, 'error');
      assert.equal(r.error.v, 1);
      assert.equal(r.error.code, 'INVALID_INPUT');
      assert.match(r.error.message, re, raw);
    }
    const withId = parseClientMessage('{"v":1,"type":"get_trend","skill":"","id":"q7"}');
    assert.ok(!withId.ok);
    assert.equal(withId.error.ref, 'q7');
  });

  it('says the field and the rule in words, with the limit', () => {
    const skills = (n: number) => Array.from({ length: n }, (_, i) => `s${i}`);
    const cases: [unknown, string][] = [
      [{ v: 1, type: 'subscribe', skills: skills(101) }, 'skills: must hold at most 100 names'],
      [{ v: 1, type: 'subscribe', skills: [] }, 'skills: must hold at least 1 name'],
      [{ v: 1, type: 'subscribe', skills: 'alpha' }, 'skills: must be "*" or an array of skill names'],
      [{ v: 1, type: 'subscribe', skills: {} }, 'skills: must be "*" or an array of skill names'],
      [{ v: 1, type: 'subscribe' }, 'skills: is required'],
      [{ v: 1, type: 'subscribe', skills: ['a', 3] }, 'skills.1: must be a string'],
      [{ v: 1, type: 'subscribe', skills: ['a', ''] }, 'skills.1: must not be empty'],
      [{ v: 1, type: 'subscribe', skills: ['x'.repeat(129)] }, 'skills.0: must be at most 128 characters'],
      [{ v: 1, type: 'subscribe', skills: ['a\u0000b'] }, 'skills.0: must not contain control characters'],
      [{ v: 1, type: 'subscribe', skills: ['ok', 'tab\there'] }, 'skills.1: must not contain control characters'],
      [{ v: 1, type: 'subscribe', skills: ['a'], channels: ['gossip'] }, 'channels.0: must be one of snapshot, invocations, anomalies'],
      [{ v: 1, type: 'subscribe', skills: ['a'], channels: [] }, 'channels: must hold at least 1 channel'],
      [{ v: 1, type: 'subscribe', skills: ['a'], channels: 'snapshot' }, 'channels: must be an array of channel names'],
      [{ v: 1, type: 'subscribe', skills: ['a'], chanels: ['snapshot'] }, 'chanels: unknown key'],
      [{ v: 1, type: 'ping', id: { a: 1 } }, 'id: must be a string or a number'],
      [{ v: 1, type: 'ping', id: null }, 'id: must be a string or a number'],
      [{ v: 1, type: 'ping', id: 'x'.repeat(65) }, 'id: must be at most 64 characters'],
      [{ v: 1, type: 'get_trend', skill: 'a', hours: 169 }, 'hours: must be an integer between 1 and 168'],
      [{ v: 1, type: 'get_trend', skill: 'a', hours: 0 }, 'hours: must be an integer between 1 and 168'],
      [{ v: 1, type: 'get_trend', skill: 'a', hours: 'x' }, 'hours: must be an integer between 1 and 168'],
      [{ v: 1, type: 'get_trend' }, 'skill: is required'],
      [{ v: 1, type: 'get_trend', skill: 7 }, 'skill: must be a string'],
      [{ v: 1, type: 'get_trend', skill: 'a\u0007' }, 'skill: must not contain control characters'],
    ];
    for (const [msg, expected] of cases) {
      const r = parseClientMessage(JSON.stringify(msg));
      assert.ok(!r.ok, JSON.stringify(msg));
      assert.equal(r.error.code, 'INVALID_INPUT');
      assert.equal(r.error.message, expected, JSON.stringify(msg));
    }
  });

  it('echoes an id only when it is a valid one: a bad id is named, not sent back', () => {
    const longId = 'x'.repeat(5000);
    for (const msg of [
      { v: 1, type: 'ping', id: longId },
      { v: 1, type: 'get_trend', skill: 'a', id: 'y'.repeat(65) },
      // Another field at fault: the id is still not echoed.
      { v: 1, type: 'get_trend', skill: '', id: longId },
      { v: 1, type: 'pong', id: longId },
    ]) {
      const r = parseClientMessage(JSON.stringify(msg));
      assert.ok(!r.ok);
      assert.ok(!('ref' in r.error), r.error.message);
      assert.ok(JSON.stringify(r.error).length < 200, JSON.stringify(r.error).slice(0, 200));
    }
    // At the limit the id is valid, and echoed whole.
    const atLimit = parseClientMessage(JSON.stringify({ v: 1, type: 'get_trend', skill: '', id: 'z'.repeat(64) }));
    assert.ok(!atLimit.ok);
    assert.equal(atLimit.error.ref, 'z'.repeat(64));
  });

  it('caps the number of subscribed skills at 100', () => {
    const names = Array.from({ length: 101 }, (_, i) => `s${i}`);
    assert.ok(!parseClientMessage(JSON.stringify({ v: 1, type: 'subscribe', skills: names })).ok);
    assert.ok(parseClientMessage(JSON.stringify({ v: 1, type: 'subscribe', skills: names.slice(1) })).ok);
  });
});
