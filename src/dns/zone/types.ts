// The shapes of a parsed master file (RFC 1035 §5): its records, the zone, and the tokens rdata is parsed from.
import type { RRType, RecordMap } from '../types.js';

export interface ZoneRecord<T extends RRType = RRType> {
  name: string;
  type: T;
  ttl: number;
  data: RecordMap[T];
}

export interface Zone {
  origin: string;
  records: ZoneRecord[];
  /** Where it came from, for messages ('fixtures/zones/example.test.zone'). */
  source?: string;
}

/** One token of a master-file line: quoted tokens keep their spaces and may be empty. */
export interface Token {
  text: string;
  quoted: boolean;
}
