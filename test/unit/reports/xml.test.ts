// The lenient XML reader: what it decodes, what it refuses (entity declarations: no expansion bombs), and how it
// reports a document cut off in the middle.
import { describe, expect, it } from 'vitest';
import { decodeEntities, parseXml, textOf, XmlError } from '../../../src/reports/xml.js';

describe('parseXml', () => {
  it('reads elements, text, CDATA, comments and namespace prefixes', () => {
    const doc = parseXml(
      '<?xml version="1.0"?>\n<!-- hi --><a:feedback xmlns:a="urn:x"><B attr="x>y">t&amp;u &#x41;&#66;</B><c><![CDATA[<raw>&amp;]]></c><d/></a:feedback>',
    );
    expect(doc.truncated).toBe(false);
    expect(doc.root!.name).toBe('feedback');
    expect(doc.root!.attributes).toBe('xmlns:a="urn:x"');
    expect(textOf(doc.root!, 'b')).toBe('t&u AB');
    expect(textOf(doc.root!, 'c')).toBe('<raw>&amp;');
    expect(doc.root!.children.map((c) => c.name)).toEqual(['b', 'c', 'd']);
  });

  it('leaves unknown entities as written and never expands them', () => {
    expect(decodeEntities('&lol9; &lt; &#0; &#xD800; &#9999999;')).toBe('&lol9; < &#0; &#xD800; &#9999999;');
  });

  it('refuses a DOCTYPE internal subset (the billion laughs) before reading any element', () => {
    const bomb = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><feedback>&lol2;</feedback>`;
    expect(() => parseXml(bomb)).toThrow(XmlError);
    try {
      parseXml(bomb);
    } catch (e) {
      expect((e as XmlError).code).toBe('entity');
    }
  });

  it('accepts a DOCTYPE without an internal subset (nothing is fetched)', () => {
    const doc = parseXml('<!DOCTYPE feedback SYSTEM "http://x.example/f.dtd"><feedback><a>1</a></feedback>');
    expect(textOf(doc.root!, 'a')).toBe('1');
  });

  it('says when the document is cut off, keeping what was read', () => {
    const doc = parseXml('<feedback><record><row><source_ip>192.0.2.1</source_ip><cou');
    expect(doc.truncated).toBe(true);
    expect(doc.root!.children[0]!.name).toBe('record');
    expect(parseXml('<feedback><a>1</a>').truncated).toBe(true);
    expect(parseXml('<feedback><a>1</a></feedback>').truncated).toBe(false);
  });

  it('closes up to the matching element and ignores stray close tags', () => {
    const doc = parseXml('<f><a><b>1</a><c>2</c></x></f>');
    expect(doc.root!.children.map((c) => c.name)).toEqual(['a', 'c']);
    expect(doc.truncated).toBe(false);
  });

  it('bounds nesting depth and element count', () => {
    expect(() => parseXml('<a>'.repeat(100))).toThrow(/deeper/);
    expect(() => parseXml(`<f>${'<x/>'.repeat(50)}</f>`, { maxElements: 20 })).toThrow(/more than 20/);
  });
});
