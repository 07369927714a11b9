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

  it('caps the number of subscribed skills at 100', () => {
    const names = Array.from({ length: 101 }, (_, i) => `s${i}`);
    assert.ok(!parseClientMessage(JSON.stringify({ v: 1, type: 'subscribe', skills: names })).ok);
    assert.ok(parseClientMessage(JSON.stringify({ v: 1, type: 'subscribe', skills: names.slice(1) })).ok);
  });
});
