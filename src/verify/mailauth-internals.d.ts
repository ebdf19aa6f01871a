// Types for the two mailauth 4.13.3 modules arc.ts uses that ship no declarations: its DKIM/ARC verifier (a
// Writable fed the message) and its writeToStream helper. Only what arc.ts touches.
declare module 'mailauth/lib/dkim/dkim-verifier.js' {
  import type { Writable } from 'node:stream';

  export interface SignatureHeader {
    /** 'DKIM', 'ARC' (ARC-Message-Signature) or 'AS' (ARC-Seal). */
    type: string;
    bodyHashKey?: string;
    maxBodyLength?: number | string;
  }

  /** The header section as mailauth's MessageParser hands it over. */
  export interface MessageHeaders {
    parsed: { key: string; line: Buffer }[];
  }

  export class DkimVerifier extends Writable {
    constructor(options: { resolver: unknown; curTime?: Date });
    arc: unknown;
    signatureHeaders: SignatureHeader[];
    /** Body hashers by `<canon>:<hash>:<l=>`, fed the body, then asked for digest('base64'). */
    bodyHashes: Map<string, unknown>;
    messageHeaders(headers: MessageHeaders): Promise<void>;
  }
}

declare module 'mailauth/lib/tools.js' {
  export function writeToStream(stream: NodeJS.WritableStream, input: Buffer): Promise<void>;
}
