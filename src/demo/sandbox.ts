// The demo's sandbox: a mail domain published as zone files (RFC 1035 master format) — MX, A, SPF (RFC 7208),
// DKIM (RFC 6376), DMARC (RFC 7489), MTA-STS (RFC 8461), TLS-RPT (RFC 8460) — and its reverse zone for PTR.
// Pure text: the same files a user can load with --zone, serve with knot, or read.

export interface SandboxKey {
  selector: string;
  /** The TXT character-strings of the key record (each ≤ 255 bytes). */
  strings: string[];
}

export interface SandboxOptions {
  domain: string;
  /** Where the sandbox's hosts live (the receiver listens here). */
  address: string;
  dkim: SandboxKey;
  /** MTA-STS policy id (changes with every run, as a real one changes with every policy). */
  stsId: string;
  /** A look-alike domain a forger controls (its SPF lets anyone send): used when no second loopback address exists. */
  lookalike?: string;
}

export interface SandboxZones {
  /** Zone files, forward first. */
  files: { origin: string; text: string }[];
  /** Names the story refers to. */
  names: { mx: string; outbound: string; ns: string };
}

const TTL = 300;

/** The SOA line of a sandbox zone: `owner` (a name with its dot, or `@`), its name server, hostmaster@ the mail domain. */
function soa(owner: string, ns: string, mailDomain: string): string {
  return `${owner} ${TTL} IN SOA ${ns}. hostmaster.${mailDomain}. 1 3600 600 86400 ${TTL}`;
}

export function sandboxZones(o: SandboxOptions): SandboxZones {
  const d = o.domain;
  const names = { mx: `mx.${d}`, outbound: `mail.${d}`, ns: `ns.${d}` };
  const q = (strings: string[]) => strings.map((s) => `"${s.replace(/["\\]/g, (c) => `\\${c}`)}"`).join(' ');
  const forward = [
    `; ${d}: the demo's sandbox mail domain, served on loopback by mailcheck's embedded DNS server.`,
    `$ORIGIN ${d}.`,
    `$TTL ${TTL}`,
    soa(`${d}.`, names.ns, d),
    `@            IN NS    ${names.ns}.`,
    `ns           IN A     ${o.address}`,
    "; Mail for the domain goes to mx (RFC 5321 §5.1), which is where the demo's receiver listens.",
    `@            IN MX    10 ${names.mx}.`,
    `mx           IN A     ${o.address}`,
    '; The outbound host: the only address allowed to send as the domain.',
    `mail         IN A     ${o.address}`,
    `mail         IN TXT   "v=spf1 a -all"`,
    `@            IN TXT   "v=spf1 ip4:${o.address} -all"`,
    `${o.dkim.selector}._domainkey IN TXT ${q(o.dkim.strings)}`,
    `_dmarc       IN TXT   "v=DMARC1; p=reject; rua=mailto:dmarc-reports@${d}; adkim=r; aspf=r"`,
    `_mta-sts     IN TXT   "v=STSv1; id=${o.stsId}"`,
    `mta-sts      IN A     ${o.address}`,
    `_smtp._tls   IN TXT   "v=TLSRPTv1; rua=mailto:tls-reports@${d}"`,
    '',
  ].join('\n');
  const files = [{ origin: d, text: forward }];
  if (o.lookalike) {
    const l = o.lookalike;
    files.push({
      origin: l,
      text: [
        `; ${l}: a look-alike domain the forger registered; its SPF lets anyone send.`,
        `$ORIGIN ${l}.`,
        `$TTL ${TTL}`,
        soa(`${l}.`, `ns.${l}`, l),
        `@  IN NS  ns.${l}.`,
        `ns IN A   ${o.address}`,
        `@  IN TXT "v=spf1 +all"`,
        '',
      ].join('\n'),
    });
  }
  const reverse = reverseZone(o.address, names.outbound, names.ns, d);
  if (reverse) files.push(reverse);
  return { files, names };
}

/** PTR for the sandbox address (forward-confirmed: mail.<domain> has the same A), in its /24's in-addr.arpa zone. */
function reverseZone(
  address: string,
  ptr: string,
  ns: string,
  domain: string,
): { origin: string; text: string } | undefined {
  const octets = address.split('.');
  if (octets.length !== 4) return undefined;
  const origin = `${octets.slice(0, 3).reverse().join('.')}.in-addr.arpa`;
  return {
    origin,
    text: [
      `; Reverse DNS for the sandbox: ${address} → ${ptr} (FCrDNS holds: ${ptr} → ${address}).`,
      `$ORIGIN ${origin}.`,
      `$TTL ${TTL}`,
      soa('@', ns, domain),
      `@ IN NS ${ns}.`,
      `${octets[3]} IN PTR ${ptr}.`,
      '',
    ].join('\n'),
  };
}
