/**
 * The stdio transport of `session-buddy mcp`: the SDK's StdioServerTransport
 * reading through a StdioLineGuard, so a request line over
 * MAX_STDIO_REQUEST_BYTES is answered with a JSON-RPC error (when it has an id)
 * and the server keeps serving, where the bare transport would close.
 *
 * Each line is read here rather than by the SDK's read buffer, which drops a
 * line that is not a valid JSON-RPC message without a word to the client (one
 * waiting on its id waits forever): a line that is not JSON is answered -32700
 * Parse error (id null), a message the SDK would refuse -32600 Invalid Request
 * or -32602 Invalid params under its id (jsonrpc-errors.ts); what has the shape
 * of a notification or a response is dropped, as JSON-RPC answers neither. Each
 * refused line is logged on stderr.
 *
 * Every answer goes out through the transport's own `send`, the one writer of
 * stdout: every message is a single `write` of one whole line, in call order,
 * so an answer and the server's other messages never interleave inside a line.
 */
import type { Readable, Writable } from 'node:stream';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from '../logger.js';
import { readJsonRpcLine } from '../mcp/jsonrpc-errors.js';
import { envelopeHint } from './jsonrpc-envelope.js';
import { MAX_STDIO_REQUEST_BYTES, requestTooLargeResponse } from './request-size-limit.js';
import { type OversizeLine, StdioLineGuard } from './stdio-line-guard.js';

const NEWLINE = 0x0a;

class GuardedStdioServerTransport extends StdioServerTransport {
  readonly #stdin: Readable;
  readonly #guard: StdioLineGuard;
  readonly #logger: Logger;

  constructor(stdin: Readable, guard: StdioLineGuard, stdout: Writable, logger: Logger) {
    // The same limit on both sides: the guard never hands the SDK's read buffer (were it used) a line it refuses.
    super(guard, stdout, { maxBufferSize: MAX_STDIO_REQUEST_BYTES });
    this.#stdin = stdin;
    this.#guard = guard;
    this.#logger = logger;
    // What start() listens to, and close() stops listening to, on the guard: the guard passes one whole line per chunk.
    this._ondata = (line: Buffer) => this.#read(line);
  }

  override async start(): Promise<void> {
    await super.start();
    // pipe() does not forward errors: the transport reports them as it did reading stdin itself.
    this.#stdin.on('error', this.#forwardError);
    this.#stdin.pipe(this.#guard);
  }

  override async close(): Promise<void> {
    this.#stdin.off('error', this.#forwardError);
    this.#stdin.unpipe(this.#guard);
    // As the SDK does with the stdin it reads: stop reading (so the process can exit) unless someone else reads it too.
    if (this.#stdin.listenerCount('data') === 0) this.#stdin.pause();
    await super.close();
  }

  readonly #forwardError = (err: Error): void => {
    this.onerror?.(err);
  };

  /** One line from the guard: handed to the server when it is a JSON-RPC message, else answered or dropped, and logged. */
  #read(line: Buffer): void {
    // Input that ended inside a line: left unread, as the SDK's read buffer leaves it.
    if (line.at(-1) !== NEWLINE) return;
    const text = line.toString('utf8', 0, line.length - 1).replace(/\r$/, '');
    if (text.trim() === '') return; // a blank line carries no message
    const read = readJsonRpcLine(text);
    if (read.ok) return this.#deliver(read.message);
    const { id, error } = read.reply;
    this.#logger.warn('refused an MCP message that is not valid JSON-RPC', {
      code: error.code,
      message: error.message,
      ...(id !== null ? { id } : {}),
      answered: read.answer,
      ...(read.answer ? {} : { reason: 'a notification or a response is never answered' }),
    });
    if (read.answer) {
      // id null (JSON-RPC 2.0, section 5) where the SDK's types only leave the id out.
      this.send(read.reply as unknown as JSONRPCMessage).catch((err: unknown) => {
        this.#logger.warn('could not answer an invalid MCP message', { err });
      });
    }
  }

  #deliver(message: JSONRPCMessage): void {
    try {
      this.onmessage?.(message);
    } catch (err) {
      this.onerror?.(err as Error);
    }
  }

  /** Logs a dropped line and answers it when it is a request with an id. */
  answer(line: OversizeLine): void {
    const logger = this.#logger;
    const hint = envelopeHint(line.head.toString('utf8'), line.tail.toString('utf8'));
    const answered = line.terminated && hint.id !== undefined && !hint.response;
    logger.warn('dropped an MCP message larger than stdio accepts', {
      bytes: line.bytes,
      limit_bytes: MAX_STDIO_REQUEST_BYTES,
      ...(hint.method ? { method: hint.method } : {}),
      ...(hint.id !== undefined ? { id: hint.id } : {}),
      answered,
      ...(answered ? {} : { reason: !line.terminated ? 'input ended inside it' : hint.response ? 'a response' : 'no request id found' }),
    });
    if (answered) {
      this.send(requestTooLargeResponse(hint.id!, line.bytes, MAX_STDIO_REQUEST_BYTES, 'stdio')).catch((err: unknown) => {
        logger.warn('could not answer an oversize MCP request', { err });
      });
    }
  }
}

/** The transport for `session-buddy mcp` (process stdin and stdout unless given others). */
export function createStdioTransport(logger: Logger, stdin: Readable = process.stdin, stdout: Writable = process.stdout): StdioServerTransport {
  const guard = new StdioLineGuard({ maxLineBytes: MAX_STDIO_REQUEST_BYTES, onOversize: (line) => transport.answer(line) });
  const transport = new GuardedStdioServerTransport(stdin, guard, stdout, logger);
  return transport;
}
