// The shapes of a DNS message as codec.ts gives and takes them, apart so that the hand decoder (codec-plain.ts) and the
// record-data mapping (codec-rdata.ts) share them without importing codec.ts, which imports both.
import type { RRType, RecordMap } from './types.js';

export interface Question {
  name: string;
  type: string;
  class: string;
}

export interface MessageFlags {
  aa: boolean;
  tc: boolean;
  rd: boolean;
  ra: boolean;
  ad: boolean;
  cd: boolean;
}

/** One resource record; `data` is our RecordMap shape for the types we know, null for the rest (RRSIG, NSEC…). */
export interface DnsRecord {
  name: string;
  type: string;
  class: string;
  ttl: number;
  data: RecordMap[RRType] | null;
}

export interface Edns {
  udpPayloadSize: number;
  version: number;
  dnssecOk: boolean;
}

export interface DnsMessage {
  id: number;
  response: boolean;
  opcode: string;
  /** Including the EDNS extended bits (BADVERS = 16). */
  rcode: string;
  flags: MessageFlags;
  questions: Question[];
  answers: DnsRecord[];
  authorities: DnsRecord[];
  /** Without the OPT pseudo-record, which is in `edns`. */
  additionals: DnsRecord[];
  edns?: Edns;
}

export type Decoded = { ok: true; message: DnsMessage } | { ok: false; error: string };

export interface EncodedQuery {
  id: number;
  question: Question;
  bytes: Buffer;
  edns: boolean;
}
