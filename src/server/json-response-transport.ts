/**
 * The Streamable HTTP server transport in JSON-response mode, with the one
 * workaround it needs.
 *
 * Why: in @modelcontextprotocol/sdk 1.32.2 (the newest 1.x at the time of
 * writing) the JSON-response branch of WebStandardStreamableHTTPServerTransport
 * registers every POST in its private `_streamMapping` and never removes the
 * entry after answering (only the SSE branch cleans up). Each entry keeps the
 * answered Response reachable until the session closes, which a connected
 * agent never does: memory grew by ~14 KB per tool call (1.5 GB after 107k
 * calls in one session).
 *
 * What: after each POST has been answered, entries of `_streamMapping` that
 * no in-flight request refers to any more (no value of
 * `_requestToStreamMapping` points at them) and that carry a JSON resolver are
 * released. Requests still being processed keep theirs, so concurrent calls
 * on one session are unaffected.
 *
 * When the SDK fixes this upstream, or renames the fields, the release finds
 * nothing to do; `releasedFieldsPresent()` says whether the fields exist, and
 * json-response-transport.test.ts fails if the map grows again with calls.
 */
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';

interface TransportInternals {
  _streamMapping?: Map<string, { resolveJson?: unknown }>;
  _requestToStreamMapping?: Map<unknown, string>;
}

type HandleRequestOptions = Parameters<WebStandardStreamableHTTPServerTransport['handleRequest']>[1];

export class JsonResponseTransport extends WebStandardStreamableHTTPServerTransport {
  override async handleRequest(req: Request, options?: HandleRequestOptions): Promise<Response> {
    try {
      return await super.handleRequest(req, options);
    } finally {
      this.releaseAnsweredStreams();
    }
  }

  /** Per-request JSON stream entries the SDK holds (for tests and diagnostics; the GET event stream is not one); null when the field is gone. */
  pendingStreamEntries(): number | null {
    const streams = (this as unknown as TransportInternals)._streamMapping;
    if (!(streams instanceof Map)) return null;
    let n = 0;
    for (const entry of streams.values()) if (entry.resolveJson !== undefined) n++;
    return n;
  }

  /** Whether the private fields the workaround relies on exist in the installed SDK. */
  releasedFieldsPresent(): boolean {
    const t = this as unknown as TransportInternals;
    return t._streamMapping instanceof Map && t._requestToStreamMapping instanceof Map;
  }

  private releaseAnsweredStreams(): void {
    const t = this as unknown as TransportInternals;
    const streams = t._streamMapping;
    const requests = t._requestToStreamMapping;
    if (!(streams instanceof Map) || !(requests instanceof Map) || streams.size === 0) return;
    const live = new Set(requests.values());
    for (const [streamId, entry] of streams) {
      if (entry.resolveJson !== undefined && !live.has(streamId)) streams.delete(streamId);
    }
  }
}
