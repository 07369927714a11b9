import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkJsonRpcMessage, readJsonRpcLine } from './jsonrpc-errors.js';

describe('checkJsonRpcMessage', () => {
  it('takes what the SDK takes, as it is', () => {
    for (const m of [
      { jsonrpc: '2.0', id: 1, method: 'ping' },
      { jsonrpc: '2.0', id: 'a', method: 'tools/list', params: { cursor: 'c', _meta: { progressToken: 1 } } },
      { jsonrpc: '2.0', method: 'notifications/initialized' },
      { jsonrpc: '2.0', id: 2, result: {} },
      { jsonrpc: '2.0', id: 3, error: { code: -1, message: 'no' } },
    ]) {
      assert.deepEqual(checkJsonRpcMessage(m), { ok: true, message: m });
    }
  });

  it('answers what awaits an answer, and never a notification or a response', () => {
    const seen = (line: string) => {
      const c = readJsonRpcLine(line);
      assert.equal(c.ok, false, line);
      return c.ok ? null : { answer: c.answer, id: c.reply.id, code: c.reply.error.code, message: c.reply.error.message };
    };
    assert.deepEqual(seen('{"jsonrpc":"2.0","id":4,"method":"ping","params":{"_meta":{"progressToken":{}}}}'), {
      answer: true,
      id: 4,
      code: -32602,
      message: 'params._meta.progressToken: Invalid input',
    });
    assert.deepEqual(seen('{"jsonrpc":"1.0","id":5,"method":"ping"}'), { answer: true, id: 5, code: -32600, message: 'jsonrpc: must be "2.0"' });
    assert.deepEqual(seen('{"jsonrpc":"2.0","id":6,"method":"ping","result":{}}'), { answer: false, id: null, code: -32600, message: 'method: unknown key' });
    assert.deepEqual(seen('{"jsonrpc":"2.0","id":7,"error":{"code":"x","message":"m"}}'), {
      answer: false,
      id: null,
      code: -32600,
      message: 'error.code: must be a number, not a string',
    });
    assert.deepEqual(seen('{"jsonrpc":"2.0","method":"notifications/cancelled","params":[1]}'), {
      answer: false,
      id: null,
      code: -32602,
      message: 'params: must be an object of named parameters, not an array',
    });
    assert.deepEqual(seen('{"jsonrpc":"2.0","method":"notifications/x","extra":1}'), { answer: false, id: null, code: -32600, message: 'extra: unknown key' });
    assert.deepEqual(seen('null'), { answer: true, id: null, code: -32600, message: '(message): must be a JSON object, not null' });
    const unparsed = seen('{"jsonrpc":"2.0","id":8,"method":"ping"');
    assert.deepEqual({ ...unparsed, message: undefined }, { answer: true, id: null, code: -32700, message: undefined });
    assert.match(unparsed?.message ?? '', /^Parse error: [^\n]+$/);
  });
});
