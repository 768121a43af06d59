/**
 * The MCP server's stdio: one JSON-RPC message per line, as the SDK's transport reads it, but kept alive
 * by whatever a client sends or does. A line longer than the limit is answered with an error (the SDK's
 * own transport closes without a word); a line that is not JSON-RPC is answered with an error; a client
 * that goes away mid-call (EPIPE on stdout) ends the server quietly. `screen` sees each request first and
 * may answer it instead of the server (arguments refused as the CLI refuses its options).
 */
import { JSONRPCMessageSchema, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';

/** A request line: arguments are paths, names and options; a line of 16 MiB is no request. */
export const MAX_LINE_BYTES = 16 * 2 ** 20;

type Id = string | number | null;
const errorReply = (id: Id, code: number, message: string) => ({ jsonrpc: '2.0' as const, id, error: { code, message } }) as unknown as JSONRPCMessage;

export class LineTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  private parts: Buffer[] = [];
  private size = 0;
  /** Skipping the rest of a line already answered as too long. */
  private skipping = false;
  private closed = false;

  constructor(
    private readonly screen: (m: JSONRPCMessage) => JSONRPCMessage | null = () => null,
    private readonly maxLine = MAX_LINE_BYTES,
  ) {}

  async start(): Promise<void> {
    process.stdin.on('data', (chunk: Buffer) => this.data(chunk));
    process.stdin.on('end', () => void this.close());
    process.stdin.on('close', () => void this.close());
    process.stdin.on('error', () => void this.close());
    // The client went away while an answer was being written: nobody is left to answer.
    process.stdout.on('error', () => void this.close());
  }

  private data(chunk: Buffer): void {
    for (let at = 0; at < chunk.length; ) {
      const nl = chunk.indexOf(0x0a, at);
      const piece = chunk.subarray(at, nl < 0 ? chunk.length : nl);
      at = nl < 0 ? chunk.length : nl + 1;
      if (!this.skipping) {
        this.size += piece.length;
        if (this.size > this.maxLine) {
          this.parts = [];
          this.size = 0;
          this.skipping = true;
          void this.send(errorReply(null, -32600, `request refused: a line longer than ${this.maxLine / 2 ** 20} MiB (nsys-tp mcp reads one JSON-RPC message per line)`));
        } else this.parts.push(piece);
      }
      if (nl < 0) break;
      if (this.skipping) this.skipping = false;
      else this.line(Buffer.concat(this.parts).toString('utf8').replace(/\r$/, ''));
      this.parts = [];
      this.size = 0;
    }
  }

  private line(text: string): void {
    if (text.trim() === '') return;
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      void this.send(errorReply(null, -32700, 'parse error: the line is not JSON'));
      return;
    }
    const parsed = JSONRPCMessageSchema.safeParse(raw);
    if (!parsed.success) {
      const id = (raw as { id?: unknown })?.id;
      void this.send(errorReply(typeof id === 'string' || typeof id === 'number' ? id : null, -32600, 'invalid request: not a JSON-RPC 2.0 message'));
      return;
    }
    // Screened on the message as the client wrote it: a validator working on parsed arguments never sees
    // keys such as __proto__, which parsing drops.
    const answer = this.screen(raw as JSONRPCMessage);
    if (answer) void this.send(answer);
    else this.onmessage?.(parsed.data);
  }

  send(message: JSONRPCMessage): Promise<void> {
    if (this.closed || process.stdout.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      try {
        if (process.stdout.write(`${JSON.stringify(message)}\n`)) resolve();
        else process.stdout.once('drain', resolve);
      } catch {
        void this.close();
        resolve();
      }
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.onclose?.();
  }
}
