// `mailcheck dkim`: look up <selector>._domainkey.<domain> (RFC 6376 §3.6.2) for named, message-borne
// or guessed selectors, following CNAME delegations; lint each key; compare a private key with them.
import type { Context } from '../../core/context.js';
import { toALabel } from '../../core/names.js';
import { definedOnly } from '../../core/object.js';
import { finding } from '../../core/result.js';
import { cnameTargets } from '../../dns/cname.js';
import { traceResolver } from '../../dns/trace.js';
import { isTemporary, recordsOf, txtJoin, type LookupStatus, type Resolver } from '../../dns/types.js';
import { noKeyFinding, probeDomainkey } from './domainkey.js';
import { readDkimPrivateKey, type DkimPrivateKey } from './key-file.js';
import { lintDkimKey, type DkimFinding } from './lint.js';
import { signaturesInMessage, type MessageSignature } from './message-selectors.js';
import { dkimKeyInfo, samePublicKey, type DkimKeyInfo } from './public-key.js';
import { looksLikeDkimKey, parseDkimKeyRecord } from './record.js';
import { COMMON_SELECTORS, providerGuesses, type ProviderGuess } from './selectors.js';
import type { DkimResult, DkimSelectorResult, SelectorSource } from './types.js';

export interface CheckDkimOptions {
  selectors?: string[];
  /** A private key file to compare with the published keys. */
  keyFile?: string;
  /** Raw RFC 5322 message whose DKIM-Signature headers name selectors. */
  message?: string;
}

const CONCURRENCY = 8;

export async function checkDkim(
  domain: string,
  ctx: Pick<Context, 'resolver'>,
  opts: CheckDkimOptions = {},
): Promise<DkimResult> {
  const trace = traceResolver(ctx.resolver);
  const findings: DkimFinding[] = [];
  const keyFile = opts.keyFile ? await readDkimPrivateKey(opts.keyFile) : undefined;
  const candidates = new Map<string, SelectorSource>();
  for (const s of opts.selectors ?? []) candidates.set(toALabel(s, 'selector'), 'explicit');

  let messageSignatures: MessageSignature[] | undefined;
  if (opts.message !== undefined) {
    messageSignatures = signaturesInMessage(opts.message);
    const mine = messageSignatures.filter((s) => s.domain === domain);
    for (const s of mine) if (!candidates.has(s.selector)) candidates.set(s.selector, 'message');
    if (!messageSignatures.length) {
      findings.push(
        finding('dkim.message.unsigned', 'warn', 'The message has no DKIM-Signature header: it was not DKIM-signed.', {
          ref: 'RFC 6376 §3.5',
        }),
      );
    } else if (!mine.length) {
      const others = [...new Set(messageSignatures.map((s) => `d=${s.domain}`))].join(', ');
      findings.push(
        finding(
          'dkim.message.other-domain',
          'info',
          `The message is signed by ${others}, not by ${domain}; those signatures do not align with ${domain} for DMARC.`,
          { ref: 'RFC 7489 §3.1.1' },
        ),
      );
    }
  }

  const guessed = candidates.size === 0;
  let providers: ProviderGuess[] = [];
  if (guessed) {
    const evidence = await guessProviders(domain, trace);
    if (evidence.failed) {
      // The domain's own MX and TXT both failed: the resolver (or the zone) is down. Probing ~40 selectors
      // would only repeat the timeout ~40 times; say so once instead.
      findings.push(
        finding(
          'dkim.lookup.temporary',
          'fail',
          `The MX and TXT lookups for ${domain} failed (${evidence.failed.status.toUpperCase()} from ${evidence.failed.server}), so no selectors were probed: no verdict on DKIM.`,
          { temporary: true },
        ),
      );
      return definedOnly({
        kind: 'dkim',
        domain,
        selectors: [],
        findings,
        steps: trace.steps,
        guessed,
        providers,
        messageSignatures: messageSignatures || undefined,
      });
    }
    providers = evidence.providers;
    for (const p of providers) for (const s of p.selectors) if (!candidates.has(s)) candidates.set(s, 'provider');
    for (const s of COMMON_SELECTORS) if (!candidates.has(s)) candidates.set(s, 'common');
    for (const p of providers) {
      findings.push(
        finding(
          'dkim.provider.detected',
          'info',
          `${p.evidence} points at ${p.provider}: its usual selectors (${p.selectors.join(', ')}) were tried too.`,
        ),
      );
    }
  }

  const probed = await mapLimit([...candidates], CONCURRENCY, ([selector, source]) =>
    probeSelector(domain, selector, source, trace),
  );
  const selectors = probed.map((p) => p.result);
  for (const p of probed) findings.push(...p.findings);
  // No key among the guesses, and no guessed name exists at all (an answer at a guessed name means a wildcard,
  // which would answer for _domainkey too; a guessed alias or a name without TXT makes _domainkey exist on its
  // own account): is anything published under _domainkey? (domainkey.ts)
  const nothing = guessed && selectors.every((s) => s.lookup === 'nxdomain' && !s.cnames.length);
  const domainkey = nothing ? await probeDomainkey(domain, trace) : undefined;
  findings.push(...domainFindings(domain, selectors, guessed, domainkey));
  const result: DkimResult = { kind: 'dkim', domain, selectors, findings, steps: trace.steps, guessed, providers };
  if (domainkey) result.domainkey = domainkey;
  if (messageSignatures) result.messageSignatures = messageSignatures;
  if (keyFile) compareKeyFile(result, keyFile, probed);
  return result;
}

interface Probe {
  result: DkimSelectorResult;
  findings: DkimFinding[];
  /** The published key as read (its KeyObject is made only if --key compares against it). */
  info: DkimKeyInfo | null;
}

async function probeSelector(
  domain: string,
  selector: string,
  source: SelectorSource,
  resolver: Resolver,
): Promise<Probe> {
  const name = `${selector}._domainkey.${domain}`;
  const answer = await resolver.lookup(name, 'TXT');
  const explicit = source === 'explicit' || source === 'message';
  const result: DkimSelectorResult = {
    selector,
    name,
    source,
    found: false,
    record: null,
    keyType: null,
    keyBits: null,
    testing: false,
    revoked: false,
    strict: false,
    keyFormat: null,
    lookup: answer.status,
    cnames: answer.cnames ?? [],
  };
  const findings: DkimFinding[] = [];
  // An RRset has no order: sort, so the record shown does not depend on which server answered.
  const texts = recordsOf(answer).map(txtJoin).sort();
  if (texts.length > 1) result.records = texts;
  const keys = texts.filter(looksLikeDkimKey);
  if (isTemporary(answer)) {
    if (explicit) {
      findings.push({
        ...finding(
          'dkim.lookup.temporary',
          'fail',
          `The TXT lookup for ${name} failed (${answer.status.toUpperCase()} from ${answer.server}): no verdict on selector ${selector}.`,
          { temporary: true },
        ),
        selector,
      });
    }
    return { result, findings, info: null };
  }
  if (!keys.length) {
    result.record = texts[0] ?? null;
    if (!texts.length && result.cnames.length) {
      // An alias that leads nowhere (a provider selector before the provider publishes the key): say where.
      result.delegatedTo = (await cnameTargets(resolver, result.cnames)).at(-1) ?? null;
      findings.push(danglingAlias(result, explicit));
    } else if (explicit && texts.length) {
      findings.push({
        ...finding(
          'dkim.record.not-dkim',
          'fail',
          `Selector ${selector}: the TXT record at ${name} is not a DKIM key record.`,
          { ref: 'RFC 6376 §3.6.1' },
        ),
        selector,
        span: [0, texts[0]!.length],
      });
    } else if (explicit) {
      findings.push(missing(name, selector, source, answer.status));
    }
    return { result, findings, info: null };
  }
  const record = parseDkimKeyRecord(keys[0]!);
  const info = dkimKeyInfo(record);
  Object.assign(result, {
    found: true,
    record: record.raw,
    keyType: info.keyType,
    keyBits: info.keyBits,
    testing: info.testing,
    revoked: info.revoked,
    strict: info.strict,
    keyFormat: info.format,
  });
  if (keys.length > 1) {
    findings.push({
      ...finding(
        'dkim.record.multiple',
        'fail',
        `Selector ${selector}: ${name} has ${keys.length} DKIM key records; which one a verifier uses is undefined.`,
        { ref: 'RFC 6376 §3.6.2.2', advice: 'Keep exactly one TXT record per selector.' },
      ),
      selector,
    });
  }
  if (result.cnames.length) {
    // The answer lists the aliases followed; the last one's target is where the key really lives.
    const alias = await resolver.lookup(result.cnames[result.cnames.length - 1]!, 'CNAME', { noFollow: true });
    result.delegatedTo = recordsOf(alias)[0] ?? null;
    findings.push({
      ...finding(
        'dkim.record.delegated',
        'info',
        `Selector ${selector}: ${name} is delegated by CNAME to ${result.delegatedTo ?? 'another name'}; whoever runs that name controls the key.`,
      ),
      selector,
    });
  }
  findings.push(...lintDkimKey(record, { selector, explicit }));
  return { result, findings, info };
}

/**
 * A selector that is a CNAME to a name with no key: dkim.selector.missing (fail) for a selector that was named or
 * signed with, dkim.selector.dangling (warn) for a guessed one. Either says the alias and where it points.
 */
function danglingAlias(s: DkimSelectorResult, explicit: boolean): DkimFinding {
  const target = s.delegatedTo ?? s.cnames[s.cnames.length - 1]!;
  const why = s.lookup === 'nxdomain' ? 'which does not exist (NXDOMAIN)' : 'which has no TXT record';
  const where = `${s.name} is an alias (CNAME) of ${target}, ${why}`;
  const advice = `Publish the key at ${target} (at a provider, enable DKIM signing for the domain there), or remove the CNAME.`;
  if (explicit) {
    const message =
      s.source === 'message'
        ? `The message is signed with selector ${s.selector}, but ${where}: its signature cannot verify.`
        : `No DKIM key for selector ${s.selector}: ${where}.`;
    return {
      ...finding('dkim.selector.missing', 'fail', message, { ref: 'RFC 6376 §6.1.2', advice }),
      selector: s.selector,
    };
  }
  return {
    ...finding('dkim.selector.dangling', 'warn', `Selector ${s.selector}: ${where}, so no key is published there.`, {
      advice,
    }),
    selector: s.selector,
  };
}

function missing(name: string, selector: string, source: SelectorSource, status: LookupStatus): DkimFinding {
  const why = status === 'nxdomain' ? 'the name does not exist (NXDOMAIN)' : 'there is no TXT record there';
  const message =
    source === 'message'
      ? `The message is signed with selector ${selector}, but ${why} at ${name}: its signature cannot verify.`
      : `No DKIM key at ${name}: ${why}.`;
  return {
    ...finding('dkim.selector.missing', 'fail', message, {
      ref: 'RFC 6376 §6.1.2',
      advice: 'Publish the key (mailcheck dkim keygen prints the record), or check the selector name.',
    }),
    selector,
  };
}

function domainFindings(
  domain: string,
  selectors: DkimSelectorResult[],
  guessed: boolean,
  domainkey?: LookupStatus,
): DkimFinding[] {
  const out: DkimFinding[] = [];
  const temporary = selectors.filter((s) => isTemporary({ status: s.lookup }));
  if (guessed && temporary.length) {
    out.push(
      finding(
        'dkim.lookup.temporary',
        'warn',
        `${temporary.length} of ${selectors.length} selector lookups failed (${[...new Set(temporary.map((s) => s.lookup.toUpperCase()))].join(', ')}): keys there may be missed.`,
        { temporary: true },
      ),
    );
  }
  const found = selectors.filter((s) => s.found);
  if (guessed) {
    const other = selectors.filter((s) => !s.found && s.record !== null);
    if (other.length) {
      out.push(
        finding(
          'dkim.selector.non-dkim',
          'info',
          `${other.length} guessed selector name${other.length > 1 ? 's' : ''} answered with TXT records that are not DKIM keys (${other
            .slice(0, 3)
            .map((s) => s.selector)
            .join(', ')}${other.length > 3 ? ', …' : ''}), perhaps a wildcard.`,
        ),
      );
    }
    if (!found.length && !temporary.length) out.push(noKeyFinding(domain, selectors.length, domainkey));
  }
  const usable = found.filter((s) => s.keyType && !s.revoked);
  if (usable.length && usable.every((s) => s.keyType === 'ed25519')) {
    out.push(
      finding(
        'dkim.ed25519-only',
        'warn',
        `Every key found for ${domain} is Ed25519; many receivers verify only RSA signatures, so sign with an RSA key as well.`,
        { ref: 'RFC 8463 §6' },
      ),
    );
  }
  return out;
}

function compareKeyFile(result: DkimResult, keyFile: DkimPrivateKey, probed: Probe[]): void {
  const matches: string[] = [];
  for (const p of probed) {
    if (!p.result.found) continue;
    const published = p.info?.key;
    p.result.keyMatch = Boolean(published && samePublicKey(published, keyFile.publicKey));
    if (p.result.keyMatch) matches.push(p.result.selector);
  }
  result.keyFile = { path: keyFile.path, type: keyFile.type, bits: keyFile.bits, matches };
  const keyDesc = `${keyFile.path} (${keyFile.type === 'rsa' ? `${keyFile.bits}-bit RSA` : 'Ed25519'})`;
  if (matches.length) {
    result.findings.push(
      finding(
        'dkim.key-file.match',
        'ok',
        `The private key ${keyDesc} matches the key published at selector ${matches.join(', ')}.`,
      ),
    );
  } else {
    const published = result.selectors.filter((s) => s.found).map((s) => s.selector);
    result.findings.push(
      finding(
        'dkim.key-file.mismatch',
        'fail',
        published.length
          ? `The private key ${keyDesc} matches none of the published keys (${published.join(', ')}): mail signed with it will fail DKIM.`
          : `The private key ${keyDesc} has no published key to match: mail signed with it will fail DKIM.`,
        {
          advice:
            'Publish the record for this key (mailcheck dkim keygen prints one), or sign with the key that belongs to the published record.',
        },
      ),
    );
  }
}

async function guessProviders(
  domain: string,
  resolver: Resolver,
): Promise<{ providers: ProviderGuess[]; failed?: { status: string; server: string } }> {
  const [mx, txt] = await Promise.all([resolver.lookup(domain, 'MX'), resolver.lookup(domain, 'TXT')]);
  if (isTemporary(mx) && isTemporary(txt)) return { providers: [], failed: mx };
  const spf =
    recordsOf(txt)
      .map(txtJoin)
      .find((t) => /^v=spf1(\s|$)/i.test(t)) ?? null;
  return { providers: providerGuesses(domain, { mx: recordsOf(mx).map((r) => r.exchange), spf }) };
}

async function mapLimit<T, R>(items: T[], limit: number, f: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await f(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
