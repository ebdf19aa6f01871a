// Verdicts on an SPF tree (RFC 7208): missing or duplicate records, syntax, all/ptr use, the lookup and void
// limits with what each include costs, sizes, broken includes, the deprecated SPF RR type. Pure: data in, findings out.
import { finding, type Finding } from '../../core/result.js';
import { LOOKUP_LIMIT, VOID_LIMIT, type SpfTree, type SpfTreeTerm } from './types.js';

export interface LintOptions {
  /** Records of the SPF RR type (99) published at the domain, if any. */
  spfRrType?: string[];
}

const NEAR_LIMIT = 8;

export function lintSpf(tree: SpfTree, opts: LintOptions = {}): Finding[] {
  const out: Finding[] = [];
  const d = tree.domain;
  switch (tree.status) {
    case 'temporary':
      return [
        finding(
          'spf.record.temporary',
          'fail',
          `The SPF record of ${d} could not be fetched (${tree.note}): no verdict is possible.`,
          { temporary: true, ref: 'RFC 7208 §4.4' },
        ),
      ];
    case 'nxdomain':
    case 'none':
      out.push(
        finding(
          'spf.record.none',
          'fail',
          tree.status === 'nxdomain'
            ? `${d} does not exist, so it has no SPF record (result: none).`
            : `${d} publishes no SPF record (result: none): anyone can send mail as ${d}.`,
          {
            advice: `Publish a TXT record at ${d} such as "v=spf1 mx -all", or "v=spf1 -all" if it sends no mail.`,
            ref: 'RFC 7208 §4.5',
          },
        ),
      );
      break;
    case 'bad-name':
      // Only a HELO given as the identity gets here: a domain argument is checked as a name first.
      return [
        finding(
          'spf.domain.invalid',
          'fail',
          `'${d}' ${tree.note}: there is no SPF record to look up, and check_host() gives none for it.`,
          { ref: 'RFC 7208 §4.3' },
        ),
      ];
    case 'multiple':
      out.push(
        finding(
          'spf.record.multiple',
          'fail',
          `${d} publishes ${tree.records!.length} SPF records; there must be exactly one, so every check gives permerror.`,
          {
            advice: 'Merge them into a single "v=spf1 …" TXT record.',
            ref: 'RFC 7208 §4.5',
          },
        ),
      );
      break;
    case 'invalid':
      for (const e of tree.errors.slice(0, 5)) {
        out.push(
          finding(
            'spf.record.syntax',
            'fail',
            `Syntax error in the SPF record of ${d}: ${e.message}${e.term ? ` (in '${e.term}')` : ''}; every check gives permerror.`,
            { ref: 'RFC 7208 §4.6' },
          ),
        );
      }
      break;
    default:
      out.push(finding('spf.record.valid', 'ok', `${d} publishes one SPF record, and it parses.`));
  }
  for (const text of tree.ignored ?? []) {
    out.push(
      finding(
        'spf.record.ignored',
        'warn',
        `The TXT record "${clip(text)}" at ${d} looks meant as SPF but is ignored: an SPF record must start with "v=spf1" followed by a space.`,
        { ref: 'RFC 7208 §4.5' },
      ),
    );
  }
  if (opts.spfRrType?.length) {
    const same = tree.record !== null && opts.spfRrType.includes(tree.record);
    out.push(
      finding(
        'spf.rr-type.spf',
        'warn',
        `${d} publishes a record of the SPF RR type (99)${same ? '' : ' that differs from its TXT record'}; that type is obsolete and no receiver reads it.`,
        {
          advice: 'Remove the SPF-type record and keep the TXT record.',
          ref: 'RFC 7208 §3.1, §14.1',
        },
      ),
    );
  }
  if (tree.record !== null) out.push(...sizeFindings(tree));
  if (tree.status === 'ok' || tree.status === 'invalid') out.push(...allFindings(tree));
  walkTree(tree, (node, record, depth) => out.push(...termFindings(node, record, depth)));
  out.push(...limitFindings(tree));
  return dedupe(out);
}

function sizeFindings(tree: SpfTree): Finding[] {
  const out: Finding[] = [];
  const long = (tree.strings ?? []).filter((s) => Buffer.byteLength(s, 'latin1') > 255);
  if (long.length) {
    out.push(
      finding(
        'spf.record.string-too-long',
        'fail',
        `A character-string of the SPF record of ${tree.domain} is ${Buffer.byteLength(long[0]!, 'latin1')} bytes; DNS allows at most 255 per string.`,
        {
          advice:
            'Split the record into several quoted strings of at most 255 bytes each; they are joined without spaces.',
          ref: 'RFC 7208 §3.3',
        },
      ),
    );
  }
  const bytes = Buffer.byteLength(tree.record!, 'utf8');
  if (bytes > 512) {
    out.push(
      finding(
        'spf.record.too-long',
        'warn',
        `The SPF record of ${tree.domain} is ${bytes} bytes; over 512 the DNS answer may not fit in UDP and some receivers fail on it.`,
        {
          advice: 'Shorten it: merge ip4/ip6 ranges or move parts into an include.',
          ref: 'RFC 7208 §3.4',
        },
      ),
    );
  }
  return out;
}

/** How the top-level record ends: +all, ?all, ~all, -all, or nothing. */
function allFindings(tree: SpfTree): Finding[] {
  const d = tree.domain;
  const all = tree.terms.find((t) => t.kind === 'mechanism' && t.name === 'all' && !t.error);
  const redirect = tree.terms.find((t) => t.kind === 'modifier' && t.name === 'redirect');
  if (!all) {
    return redirect
      ? []
      : [
          finding(
            'spf.all.missing',
            'warn',
            `The SPF record of ${d} has no "all" and no redirect=: mail from unlisted hosts gets neutral, which protects nothing.`,
            {
              advice: 'End the record with "-all" (or "~all" while testing).',
              ref: 'RFC 7208 §4.7',
            },
          ),
        ];
  }
  switch (all.qualifier) {
    case '+':
      return [
        finding(
          'spf.all.pass',
          'fail',
          `The SPF record of ${d} ends in "+all": every host on the Internet may send as ${d}.`,
          { advice: 'Use "-all" or "~all".', ref: 'RFC 7208 §5.1' },
        ),
      ];
    case '?':
      return [
        finding(
          'spf.all.neutral',
          'warn',
          `The SPF record of ${d} ends in "?all": unlisted hosts get neutral, which receivers treat like no SPF at all.`,
          { advice: 'Use "-all" (or "~all").', ref: 'RFC 7208 §8.2' },
        ),
      ];
    case '~':
      return [
        finding(
          'spf.all.softfail',
          'info',
          `The SPF record of ${d} ends in "~all": unlisted hosts get softfail (accepted but suspect).`,
          { advice: 'Move to "-all" once every sender is listed.', ref: 'RFC 7208 §8.5' },
        ),
      ];
    default:
      return [finding('spf.all.fail', 'ok', `The SPF record of ${d} ends in "-all": unlisted hosts fail.`)];
  }
}

function termFindings(t: SpfTreeTerm, record: SpfTree, depth: number): Finding[] {
  const out: Finding[] = [];
  const where = `'${t.raw}' in the SPF record of ${record.domain}`;
  if (t.kind === 'mechanism' && t.name === 'all' && t.qualifier === '+' && !t.unreachable && depth > 0) {
    out.push(
      finding(
        'spf.all.pass',
        'fail',
        `${record.domain} ends in "+all", so every domain that includes it passes every host on the Internet.`,
        { ref: 'RFC 7208 §5.1' },
      ),
    );
  }
  if (t.unreachable && t.kind === 'mechanism')
    out.push(
      finding('spf.term.unreachable', 'warn', `${where} comes after "all" and is never evaluated.`, {
        advice: 'Put "all" last.',
        ref: 'RFC 7208 §5.1',
      }),
    );
  if (t.unreachable && t.name === 'redirect')
    out.push(
      finding(
        'spf.redirect.ignored',
        'warn',
        `${where} is never used: the record has "all", which always matches first.`,
        { ref: 'RFC 7208 §6.1' },
      ),
    );
  if (t.name === 'ptr' && t.kind === 'mechanism' && !t.error) {
    out.push(
      finding(
        'spf.ptr.used',
        'warn',
        `${where} uses "ptr", which is slow, unreliable and SHOULD NOT be used; many receivers skip it.`,
        {
          advice: 'List the senders with ip4:/ip6: or a: instead.',
          ref: 'RFC 7208 §5.5',
        },
      ),
    );
  }
  if (t.kind === 'modifier' && t.name !== 'redirect' && t.name !== 'exp' && !t.error) {
    out.push(
      finding('spf.modifier.unknown', 'info', `${where} is an unknown modifier; receivers ignore it.`, {
        ref: 'RFC 7208 §6',
      }),
    );
  }
  if ((t.mxCount ?? 0) > 10) {
    out.push(
      finding(
        'spf.mx.too-many',
        'fail',
        `${where}: ${t.target} has ${t.mxCount} MX records; "mx" may look at no more than 10, so it gives permerror.`,
        { ref: 'RFC 7208 §4.6.4' },
      ),
    );
  }
  if (t.lookup && !['ok', 'void', 'multiple'].includes(t.lookup)) {
    out.push(
      finding(
        'spf.lookup.temporary',
        'fail',
        `${where}: the ${t.name} lookup of ${t.target} failed (${t.lookup.toUpperCase()}): a check would give temperror.`,
        { temporary: true },
      ),
    );
  }
  if (t.name === 'exp' && t.lookup && t.lookup !== 'ok') {
    out.push(
      finding(
        'spf.exp.unusable',
        'warn',
        `${where}: ${t.target} has ${t.lookup === 'multiple' ? 'several TXT records' : 'no TXT record'}, so receivers show no explanation.`,
        { ref: 'RFC 7208 §6.2' },
      ),
    );
  }
  if (t.cost.voidLookups === null && t.cost.note?.includes('depends on the client IP')) {
    out.push(
      finding(
        'spf.macro.needs-ip',
        'info',
        `${where} depends on the client's address: its target, and whether it is a void lookup, are known only with --ip.`,
        { ref: 'RFC 7208 §7' },
      ),
    );
  }
  const c = t.child;
  if (!c) return out;
  const how = t.name === 'redirect' ? 'redirect' : 'include';
  switch (c.status) {
    case 'none':
    case 'nxdomain':
      out.push(
        finding(
          `spf.${how}.no-record`,
          'fail',
          `${where}: ${c.domain} ${c.status === 'nxdomain' ? 'does not exist' : 'has no SPF record'}, so this ${how} gives permerror.`,
          { ref: how === 'include' ? 'RFC 7208 §5.2' : 'RFC 7208 §6.1' },
        ),
      );
      break;
    case 'multiple':
    case 'invalid':
      out.push(
        finding(
          `spf.${how}.invalid`,
          'fail',
          `${where}: the SPF record of ${c.domain} is ${c.status === 'multiple' ? 'duplicated' : `invalid (${c.errors[0]?.message})`}, so this ${how} gives permerror.`,
          { ref: 'RFC 7208 §4.6' },
        ),
      );
      break;
    case 'bad-name':
      out.push(
        finding(`spf.${how}.invalid`, 'fail', `${where}: ${c.note}, so this ${how} gives permerror.`, {
          ref: 'RFC 7208 §7.1',
        }),
      );
      break;
    case 'temporary':
      out.push(
        finding(
          'spf.lookup.temporary',
          'fail',
          `${where}: the record of ${c.domain} could not be fetched (${c.note}): a check would give temperror.`,
          { temporary: true },
        ),
      );
      break;
    case 'loop':
      out.push(
        finding(
          `spf.${how}.loop`,
          'fail',
          `${where} loops: ${c.domain} is already being evaluated, so a check runs into the lookup limit (permerror).`,
          { ref: 'RFC 7208 §4.6.4' },
        ),
      );
      break;
    case 'not-followed':
      out.push(finding('spf.tree.truncated', 'info', `${where}: ${c.note}.`));
      break;
  }
  return out;
}

function limitFindings(tree: SpfTree): Finding[] {
  if (tree.status !== 'ok' && tree.status !== 'invalid') return [];
  const out: Finding[] = [];
  const costs = tree.terms
    .filter((t) => t.cost.lookups > 0 && !t.unreachable)
    .map((t) => ({ term: t.raw, cost: t.cost.lookups + (t.child?.lookups ?? 0) }))
    .sort((a, b) => b.cost - a.cost);
  const breakdown =
    costs
      .slice(0, 6)
      .map((c) => `${c.term} ${c.cost}`)
      .join(', ') + (costs.length > 6 ? ', …' : '');
  const lookupStop = findStop(tree, 'lookups');
  if (tree.lookups > LOOKUP_LIMIT) {
    out.push(
      finding(
        'spf.lookups.exceeded',
        'fail',
        `The SPF tree of ${tree.domain} needs ${tree.lookups} DNS-querying terms; the limit is ${LOOKUP_LIMIT}, so a check that gets as far as ${lookupStop ? `'${lookupStop.term.raw}' in ${lookupStop.record.domain}` : 'the 11th'} gives permerror. Cost per term: ${breakdown}.`,
        {
          advice: 'Remove unused includes, replace a/mx with ip4/ip6, or flatten includes you control.',
          ref: 'RFC 7208 §4.6.4',
        },
      ),
    );
  } else if (tree.lookups >= NEAR_LIMIT) {
    out.push(
      finding(
        'spf.lookups.near-limit',
        'warn',
        `The SPF tree of ${tree.domain} needs ${tree.lookups} of at most ${LOOKUP_LIMIT} DNS-querying terms; one more include may break it. Cost per term: ${breakdown}.`,
        { ref: 'RFC 7208 §4.6.4' },
      ),
    );
  } else {
    out.push(
      finding(
        'spf.lookups.ok',
        'ok',
        `The SPF tree of ${tree.domain} needs ${tree.lookups} of at most ${LOOKUP_LIMIT} DNS-querying terms${breakdown ? ` (${breakdown})` : ''}.`,
      ),
    );
  }
  const voids: string[] = [];
  walkTree(tree, (t, r) => {
    if (t.cost.voidLookups) voids.push(`'${t.raw}' in ${r.domain}`);
  });
  if (tree.voidLookups > VOID_LIMIT) {
    out.push(
      finding(
        'spf.void.exceeded',
        'fail',
        `${tree.voidLookups} terms of the SPF tree of ${tree.domain} look up names that do not exist or have no records (${voids.join(', ')}); more than ${VOID_LIMIT} such void lookups give permerror.`,
        { ref: 'RFC 7208 §4.6.4' },
      ),
    );
  } else if (tree.voidLookups > 0) {
    out.push(
      finding(
        'spf.void.present',
        'warn',
        `${voids.join(', ')} ${voids.length > 1 ? 'look up names' : 'looks up a name'} with no records (void lookup ${tree.voidLookups} of at most ${VOID_LIMIT}).`,
        { advice: 'Remove terms that point at names with no records.', ref: 'RFC 7208 §4.6.4' },
      ),
    );
  }
  return out;
}

function findStop(tree: SpfTree, why: 'lookups' | 'void'): { term: SpfTreeTerm; record: SpfTree } | undefined {
  let found: { term: SpfTreeTerm; record: SpfTree } | undefined;
  walkTree(tree, (t, r) => {
    if (!found && t.stopsEvaluation === why) found = { term: t, record: r };
  });
  return found;
}

/** Every term of every record, depth first in record order, with the record it belongs to and its depth. */
export function walkTree(
  tree: SpfTree,
  visit: (t: SpfTreeTerm, record: SpfTree, depth: number) => void,
  depth = 0,
): void {
  for (const t of tree.terms) {
    visit(t, tree, depth);
    if (t.child) walkTree(t.child, visit, depth + 1);
  }
}

function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${f.id}\u0000${f.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function clip(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}…` : s;
}
