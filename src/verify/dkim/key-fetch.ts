// §6.1.2: the key at <selector>._domainkey.<d>, checked against the signature. One query per key name per message
// (signatures sharing a key share the lookup), so a message causes at most as many queries as signatures verified.
import type { Lookup, Resolver } from '../../dns/types.js';
import { txtJoin } from '../../dns/types.js';
import { parseKeyRecord, type DkimKey } from './key.js';
import type { DkimSignature } from './signature.js';

export type KeyFailure = { result: 'permerror' | 'temperror'; reason: string };

export class KeyFetcher {
  private readonly answers = new Map<string, Promise<Lookup<string[]>>>();

  constructor(private readonly resolver: Resolver) {}

  async fetch(sig: DkimSignature): Promise<{ key: DkimKey } | KeyFailure> {
    const name = `${sig.selector}._domainkey.${sig.domain}`;
    let pending = this.answers.get(name);
    if (!pending) {
      pending = this.resolver.lookup(name, 'TXT');
      this.answers.set(name, pending);
    }
    const answer = await pending;
    if (answer.status === 'nxdomain' || answer.status === 'nodata')
      return { result: 'permerror', reason: `no key for signature (${name} ${answer.status.toUpperCase()})` };
    if (answer.status !== 'ok')
      return { result: 'temperror', reason: `key lookup for ${name} failed: ${answer.status.toUpperCase()}` };
    // §3.6.2.2: strings of one record are concatenated; with several records, the first usable one wins.
    let failure: KeyFailure | undefined;
    for (const record of answer.records) {
      const parsed = parseKeyRecord(txtJoin(record));
      if (!parsed.ok) {
        failure ??= { result: 'permerror', reason: parsed.reason };
        continue;
      }
      const key = parsed.key;
      if (key.keyType !== sig.keyType)
        return { result: 'permerror', reason: `key is ${key.keyType} but the signature says ${sig.algorithm}` };
      if (key.hashes && !key.hashes.includes(sig.hash))
        return { result: 'permerror', reason: `key allows h=${key.hashes.join(':')}, not ${sig.hash}` };
      const iDomain = sig.identity.slice(sig.identity.lastIndexOf('@') + 1).toLowerCase();
      if (key.strict && iDomain !== sig.domain)
        return { result: 'permerror', reason: `key has t=s but i= domain ${iDomain} is not d=${sig.domain}` };
      return { key };
    }
    return failure ?? { result: 'permerror', reason: `no key for signature (empty TXT at ${name})` };
  }
}
