// Strict address syntax (RFC 5322 §3.4, with RFC 6532's UTF-8): is this header field's value a mailbox-list /
// address-list a standards-following sender would write? address.ts reads From: leniently, as a receiver must;
// this says what is wrong with it, for the RFC 5322 format rule of the bulk-sender verdict. Pure, linear time.
import { domainToASCII } from 'node:url';

type Token =
  | { t: 'atom'; v: string }
  | { t: 'quoted'; v: string }
  | { t: 'literal'; v: string }
  | { t: 'special'; v: '<' | '>' | '@' | ',' | ';' | ':' | '.' };

/** A run of RFC 5322 §3.2.3 atext, non-ASCII characters included (RFC 6532 §3.2); sticky, read at an index. */
const ATOM = /[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~\u0080-\uffff]+/y;
const SPECIAL = new Set(['<', '>', '@', ',', ';', ':', '.']);

class SyntaxProblem extends Error {}

export interface AddressCheck {
  /** Why the value is not a valid list of its kind; null when it is. */
  problem: string | null;
  /** Mailboxes in a valid list (group members included). */
  mailboxes: number;
}

// The common single mailbox, "Name <local@host.example>" or "local@host.example" with a display name of atoms,
// dots and spaces only: everything it matches the parser below accepts, so it may answer first (the parser costs
// ~10 µs a field in V8's interpreter, where short verify runs stay). Anything else goes to the parser.
const ATEXT_RUN = "[A-Za-z0-9!#$%&'*+\\-/=?^_`{|}~]+";
const SIMPLE = new RegExp(
  `^(?:[A-Za-z0-9!#$%&'*+\\-/=?^_\`{|}~. \\t]*<(${ATEXT_RUN}(?:\\.${ATEXT_RUN})*)@([A-Za-z0-9.-]+)>|(${ATEXT_RUN}(?:\\.${ATEXT_RUN})*)@([A-Za-z0-9.-]+))[ \\t]*$`,
);

export function checkAddressSyntax(value: string, kind: 'mailbox' | 'mailbox-list' | 'address-list'): AddressCheck {
  const simple = SIMPLE.exec(value);
  if (simple) {
    const local = simple[1] ?? simple[3]!;
    const host = simple[2] ?? simple[4]!;
    if (local.length <= 64 && isHostName(host)) return { problem: null, mailboxes: 1 };
  }
  return parseAddressSyntax(value, kind);
}

/** The full RFC 5322 §3.4 parse (checkAddressSyntax without its shortcut; exported for the property test). */
export function parseAddressSyntax(value: string, kind: 'mailbox' | 'mailbox-list' | 'address-list'): AddressCheck {
  try {
    const tokens = tokenize(value);
    // An empty address-list is allowed where RFC 5322 §3.6.3 allows it (an empty Bcc:).
    if (tokens.length === 0 && kind === 'address-list') return { problem: null, mailboxes: 0 };
    if (tokens.length === 0) throw new SyntaxProblem('is empty');
    const mailboxes = new Parser(tokens).list(kind !== 'address-list');
    if (kind === 'mailbox' && mailboxes !== 1)
      throw new SyntaxProblem(`has ${mailboxes} mailboxes where one is allowed`);
    return { problem: null, mailboxes };
  } catch (e) {
    if (e instanceof SyntaxProblem) return { problem: e.message, mailboxes: 0 };
    throw e;
  }
}

function tokenize(s: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
      i++;
    } else if (c === '(') {
      i = skipComment(s, i);
    } else if (c === '"') {
      let v = '';
      for (i++; ; i++) {
        if (i >= s.length) throw new SyntaxProblem('has a quoted string that is never closed');
        const q = s[i]!;
        if (q === '"') break;
        if (q === '\\') {
          i++;
          if (i >= s.length) throw new SyntaxProblem('has a quoted string that is never closed');
        } else if (isControl(q)) throw new SyntaxProblem('has a control character in a quoted string');
        v += s[i];
      }
      i++;
      out.push({ t: 'quoted', v });
    } else if (c === '[') {
      const end = s.indexOf(']', i);
      if (end === -1) throw new SyntaxProblem("has a '[' that is never closed");
      const v = s.slice(i + 1, end);
      // RFC 5322 §3.4.1 dtext excludes controls
      if (/[[\\\x00-\x1f\x7f]/.test(v)) throw new SyntaxProblem('has an invalid domain literal');
      out.push({ t: 'literal', v });
      i = end + 1;
    } else if (SPECIAL.has(c)) {
      out.push({ t: 'special', v: c as '<' });
      i++;
    } else {
      ATOM.lastIndex = i;
      const m = ATOM.exec(s);
      if (!m) throw new SyntaxProblem(`has a character not allowed there (${describe(c)})`);
      out.push({ t: 'atom', v: m[0] });
      i += m[0].length;
    }
  }
  return out;
}

/** RFC 5322 §3.2.2: comments nest and may hold quoted-pairs; returns the index after the closing ')'. */
function skipComment(s: string, i: number): number {
  let depth = 0;
  for (; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\') i++;
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i + 1;
    else if (isControl(c)) throw new SyntaxProblem('has a control character in a comment');
  }
  throw new SyntaxProblem("has a '(' comment that is never closed");
}

function isControl(c: string): boolean {
  const code = c.charCodeAt(0);
  return (code < 0x20 && c !== '\t') || code === 0x7f;
}

/**
 * Sender text quoted in a problem, cut to 60 characters: a 500 kB From: made a 500 kB reason, and wrapping that in
 * verify's table took hours (the table package wraps one long word in quadratic time).
 */
function quote(s: string): string {
  return s.length > 60 ? `${s.slice(0, 60)}…` : s;
}

function describe(c: string): string {
  const code = c.charCodeAt(0);
  return code < 0x20 || code === 0x7f ? `control character 0x${code.toString(16).padStart(2, '0')}` : `'${c}'`;
}

class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token | undefined {
    return this.tokens[this.i];
  }
  private isSpecial(v: string): boolean {
    const t = this.peek();
    return t?.t === 'special' && t.v === v;
  }
  private expect(v: string, what: string): void {
    if (!this.isSpecial(v)) throw new SyntaxProblem(what);
    this.i++;
  }

  /** address *("," address); returns the number of mailboxes. */
  list(mailboxesOnly: boolean): number {
    let n = 0;
    for (;;) {
      if (this.isSpecial(',')) throw new SyntaxProblem('has an empty element between commas');
      n += this.address(mailboxesOnly);
      if (this.i === this.tokens.length) return n;
      this.expect(',', `has text after an address where a ',' belongs`);
      if (this.i === this.tokens.length) throw new SyntaxProblem("ends with a ','");
    }
  }

  /** mailbox / group (RFC 5322 §3.4). */
  private address(mailboxesOnly: boolean): number {
    const phrase = this.phrase();
    const next = this.peek();
    if (next?.t === 'special' && next.v === '<') {
      this.angleAddr();
      return 1;
    }
    if (next?.t === 'special' && next.v === ':') {
      if (mailboxesOnly) throw new SyntaxProblem('has a group where only mailboxes are allowed');
      if (!phrase.length) throw new SyntaxProblem('has a group without a name');
      this.i++;
      let n = 0;
      if (!this.isSpecial(';')) {
        for (;;) {
          n += this.mailboxAfterPhrase(this.phrase());
          if (!this.isSpecial(',')) break;
          this.i++;
        }
      }
      this.expect(';', "has a group that is not closed with ';'");
      return n;
    }
    if (next?.t === 'special' && next.v === '@') {
      this.localPart(phrase);
      this.i++;
      this.domain();
      return 1;
    }
    if (!phrase.length) throw new SyntaxProblem(next ? `has '${next.v}' where an address belongs` : 'lacks an address');
    throw new SyntaxProblem(`has '${quote(phrase.map((t) => t.v).join(' '))}' where an address belongs (no '@')`);
  }

  private mailboxAfterPhrase(phrase: Token[]): number {
    if (this.isSpecial('<')) {
      this.angleAddr();
      return 1;
    }
    if (this.isSpecial('@')) {
      this.localPart(phrase);
      this.i++;
      this.domain();
      return 1;
    }
    throw new SyntaxProblem('has a group member that is not an address');
  }

  /** Words and dots (obs-phrase allows "John Q. Public"). */
  private phrase(): Token[] {
    const words: Token[] = [];
    for (let t = this.peek(); t; t = this.peek()) {
      if (t.t === 'atom' || t.t === 'quoted' || (t.t === 'special' && t.v === '.')) words.push(t);
      else break;
      this.i++;
    }
    return words;
  }

  private angleAddr(): void {
    this.i++; // '<'
    // obs-route (RFC 5322 §4.4): "<@a,@b:user@c>" is accepted by receivers but no longer generated.
    if (this.isSpecial('@')) throw new SyntaxProblem('has a source route (obsolete since RFC 5322)');
    if (this.isSpecial('>')) throw new SyntaxProblem("has an empty address '<>'");
    this.localPart(this.phrase());
    this.expect('@', "has an address without '@'");
    this.domain();
    this.expect('>', "has a '<' that is never closed with '>'");
  }

  /** dot-atom or a quoted-string (RFC 5322 §3.4.1). */
  private localPart(words: Token[]): void {
    if (!words.length) throw new SyntaxProblem("has an address with nothing before '@'");
    if (words.length === 1 && words[0]!.t === 'quoted') return;
    dotAtom(words, 'local part');
    const local = words.map((w) => w.v).join('');
    if (local.length > 64) throw new SyntaxProblem('has a local part longer than 64 octets (RFC 5321 §4.5.3.1.1)');
  }

  private domain(): void {
    const t = this.peek();
    if (t?.t === 'literal') {
      this.i++;
      return;
    }
    // atom *("." atom), stopping where the next word would not be joined by a dot (the text after the address).
    const words: Token[] = [];
    for (let w = this.peek(); w; w = this.peek()) {
      const dot = w.t === 'special' && w.v === '.';
      const last = words[words.length - 1];
      if (!(w.t === 'atom' && last?.t !== 'atom') && !dot) break;
      words.push(w);
      this.i++;
    }
    if (!words.length) throw new SyntaxProblem("has an address with no domain after '@'");
    dotAtom(words, 'domain');
    const name = words.map((w) => w.v).join('');
    if (!isHostName(name)) throw new SyntaxProblem(`has '${quote(name)}', which is not a host name (RFC 5321 §4.1.2)`);
  }
}

/** atom *("." atom): no leading, trailing or doubled dot, no quoted pieces. */
function dotAtom(words: Token[], what: string): void {
  words.forEach((w, k) => {
    const dot = w.t === 'special' && w.v === '.';
    if (k % 2 === 1 ? !dot : w.t !== 'atom')
      throw new SyntaxProblem(
        dot ? `has a ${what} with a misplaced '.'` : `has a ${what} that is not one dot-separated word`,
      );
  });
  if (words.length % 2 === 0) throw new SyntaxProblem(`has a ${what} ending in '.'`);
}

/** Letters, digits and hyphens per label (U-labels allowed, RFC 6531), at most 63 and 253 octets. */
function isHostName(name: string): boolean {
  const ascii = /^[\x21-\x7e]*$/.test(name) ? name : domainToASCII(name);
  if (!ascii || ascii.length > 253) return false;
  return ascii
    .toLowerCase()
    .split('.')
    .every((l) => /^(?!-)[a-z0-9-]{1,63}(?<!-)$/.test(l));
}
