import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { envelopeHint } from './jsonrpc-envelope.js';

const KEEP = 4096;
const PAD = 'x'.repeat(20_000);

/** The first and last KEEP characters of a serialised message, as the stdio guard keeps them. */
function hintOf(message: string) {
  return envelopeHint(message.slice(0, KEEP), message.slice(-KEEP));
}

describe('envelopeHint', () => {
  it('finds the id the TypeScript SDK writes last, after params, however params nest and whatever ids they hold', () => {
    const params = { name: 'track_skill_invocations', arguments: { invocations: [{ metadata: { id: 99, pad: PAD, method: 'nope' } }] } };
    assert.deepEqual(hintOf(JSON.stringify({ method: 'tools/call', params, jsonrpc: '2.0', id: 7 })), { id: 7, method: 'tools/call', response: false });
    assert.deepEqual(hintOf(`${JSON.stringify({ method: 'tools/call', params, jsonrpc: '2.0', id: 'a"b\\' })} \r`), {
      id: 'a"b\\',
      method: 'tools/call',
      response: false,
    });
  });

  it('finds the id the Python SDK writes first, after jsonrpc', () => {
    const msg = `{ "jsonrpc" : "2.0", "id" : "req-1", "method" : "tools/call", "params" : {"pad": "${PAD}", "id": 5}}`;
    assert.deepEqual(hintOf(msg), { id: 'req-1', method: 'tools/call', response: false });
  });

  it('finds no id in a notification, even when its params end with one', () => {
    assert.deepEqual(hintOf(JSON.stringify({ method: 'notifications/progress', params: { pad: PAD, id: 3 }, jsonrpc: '2.0' })), {
      method: 'notifications/progress',
      response: false,
    });
    assert.deepEqual(hintOf(`{"jsonrpc":"2.0","method":"notifications/x","params":{"pad":"${PAD}","id":3}}`), {
      method: 'notifications/x',
      response: false,
    });
  });

  it('tells a response (never answered) from a request', () => {
    assert.deepEqual(hintOf(JSON.stringify({ result: { pad: PAD }, jsonrpc: '2.0', id: 4 })), { id: 4, response: true });
    assert.deepEqual(hintOf(JSON.stringify({ jsonrpc: '2.0', id: 4, error: { code: 1, message: PAD } })), { id: 4, response: true });
  });

  it('takes no id that is cut off, not a request id, or in something that is not a JSON object', () => {
    assert.deepEqual(envelopeHint('{"jsonrpc":"2.0","id":12', '"}'), { response: false });
    assert.deepEqual(envelopeHint('{"id":1.5,"method":"m","params":{', 'x"}}'), { method: 'm', response: false });
    assert.deepEqual(envelopeHint('{"id":null,"method":"m","params":{', '"}}'), { method: 'm', response: false });
    assert.deepEqual(envelopeHint('[{"id":1', '"id":2}]'), { response: false });
    assert.deepEqual(envelopeHint('garbage', '"id":2}'), { response: false });
    assert.deepEqual(envelopeHint('', ''), { response: false });
    // The tail starts inside a run of backslashes: whether the key's quote is escaped cannot be told…
    assert.deepEqual(envelopeHint('{"params":{', '\\\\"id":5}'), { response: false });
    // …while a string ending in an escaped backslash is read.
    assert.deepEqual(envelopeHint('{"params":{', '\\\\"},"id":"x\\\\"}'), { id: 'x\\', response: false });
    // An escape JSON does not know.
    assert.deepEqual(envelopeHint('{"params":{', '"x","id":"\\q"}'), { response: false });
  });
});
