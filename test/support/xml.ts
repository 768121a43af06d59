/**
 * A strict well-formedness check for the SVG (XML) and HTML the tool writes, with no parser to install:
 * every character allowed by XML 1.0, every `&` a valid reference to an allowed character, every `<` a
 * tag, comment, declaration or CDATA section, tags balanced and named, attributes quoted, unique and free
 * of `<`. HTML mode knows HTML's void elements (`<meta>`), its doctype and its raw-text elements.
 * Returns the problems found (empty: well-formed), each with where it is.
 */

/** Characters XML 1.0 does not allow anywhere (Char production), lone surrogates included. */
const BAD_CHAR = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const NAME = /^[A-Za-z_:][\w.:-]*/;
const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr']);
const RAW_TEXT = new Set(['script', 'style']);

function refsProblem(text: string): string | null {
  for (const m of text.matchAll(/&([^;\s<&]{0,12});?/g)) {
    const ref = m[0];
    const body = m[1]!;
    if (!ref.endsWith(';')) return `a bare & (${JSON.stringify(text.slice(m.index, m.index + 12))})`;
    let code: number;
    if (/^#x[0-9a-fA-F]+$/.test(body)) code = parseInt(body.slice(2), 16);
    else if (/^#\d+$/.test(body)) code = parseInt(body.slice(1), 10);
    else if (['lt', 'gt', 'amp', 'quot', 'apos'].includes(body)) continue;
    else return `an unknown entity ${ref}`;
    const ok = code === 9 || code === 10 || code === 13 || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);
    if (!ok) return `a reference to a character XML does not allow: ${ref}`;
  }
  return null;
}

export function wellFormedProblems(doc: string, mode: 'xml' | 'html'): string[] {
  const problems: string[] = [];
  const at = (i: number) => JSON.stringify(doc.slice(Math.max(0, i - 30), i + 30));
  const bad = BAD_CHAR.exec(doc);
  if (bad) problems.push(`a character XML does not allow (U+${bad[0].charCodeAt(0).toString(16).padStart(4, '0')}) at ${at(bad.index)}`);
  const stack: string[] = [];
  let roots = 0;
  let i = 0;
  const text = (s: string, from: number) => {
    const p = refsProblem(s);
    if (p) problems.push(`${p} at ${at(from)}`);
    if (s.includes(']]>')) problems.push(`"]]>" in text at ${at(from)}`);
    if (mode === 'xml' && stack.length === 0 && s.trim() !== '') problems.push(`text outside the root element at ${at(from)}`);
  };
  while (i < doc.length && problems.length < 10) {
    const lt = doc.indexOf('<', i);
    if (lt < 0) {
      text(doc.slice(i), i);
      break;
    }
    text(doc.slice(i, lt), i);
    const rest = doc.slice(lt, lt + 10);
    const close = (marker: string, what: string) => {
      const e = doc.indexOf(marker, lt);
      if (e < 0) {
        problems.push(`an unclosed ${what} at ${at(lt)}`);
        return doc.length;
      }
      return e + marker.length;
    };
    if (rest.startsWith('<!--')) {
      const e = close('-->', 'comment');
      if (doc.slice(lt + 4, e - 3).includes('--')) problems.push(`"--" inside a comment at ${at(lt)}`);
      i = e;
    } else if (rest.startsWith('<?')) i = close('?>', 'processing instruction');
    else if (rest.startsWith('<![CDATA[')) i = close(']]>', 'CDATA section');
    else if (/^<!doctype/i.test(rest)) i = close('>', 'doctype');
    else if (rest.startsWith('</')) {
      const m = NAME.exec(doc.slice(lt + 2));
      const e = doc.indexOf('>', lt);
      if (!m || e < 0 || doc.slice(lt + 2 + m[0].length, e).trim() !== '') {
        problems.push(`a malformed end tag at ${at(lt)}`);
        i = e < 0 ? doc.length : e + 1;
        continue;
      }
      const name = mode === 'html' ? m[0].toLowerCase() : m[0];
      const open = stack.pop();
      if (open !== name) problems.push(`</${name}> closes <${open ?? 'nothing'}> at ${at(lt)}`);
      i = e + 1;
    } else {
      const m = NAME.exec(doc.slice(lt + 1));
      if (!m) {
        problems.push(`a "<" that starts no tag at ${at(lt)}`);
        i = lt + 1;
        continue;
      }
      const name = mode === 'html' ? m[0].toLowerCase() : m[0];
      let j = lt + 1 + m[0].length;
      const seen = new Set<string>();
      let selfClosing = false;
      for (;;) {
        // HTML allows an attribute without a value (`<details open>`); XML does not.
        const a = (mode === 'html' ? /^\s*(?:(\/?>)|([^\s=/>]+)(?:\s*=\s*("[^"]*"|'[^']*'))?|(\S))/ : /^\s*(?:(\/?>)|([^\s=/>]+)\s*=\s*("[^"]*"|'[^']*')|(\S))/).exec(doc.slice(j, j + 200000));
        if (!a || a[4] !== undefined) {
          problems.push(`a malformed attribute in <${name}> at ${at(j)}`);
          j = doc.indexOf('>', j) + 1 || doc.length;
          break;
        }
        j += a[0].length;
        if (a[1]) {
          selfClosing = a[1] === '/>';
          break;
        }
        const attr = a[2]!;
        if (!NAME.test(attr) || NAME.exec(attr)![0] !== attr) problems.push(`an attribute name ${JSON.stringify(attr)} at ${at(j)}`);
        if (seen.has(attr)) problems.push(`attribute ${attr} twice in <${name}> at ${at(j)}`);
        seen.add(attr);
        const value = (a[3] ?? '""').slice(1, -1);
        if (value.includes('<')) problems.push(`a "<" in attribute ${attr} at ${at(j)}`);
        const p = refsProblem(value);
        if (p) problems.push(`${p} in attribute ${attr} at ${at(j)}`);
      }
      i = j;
      if (stack.length === 0) roots++;
      if (selfClosing || (mode === 'html' && VOID.has(name))) continue;
      if (mode === 'html' && RAW_TEXT.has(name)) {
        const e = doc.toLowerCase().indexOf(`</${name}`, i);
        if (e < 0) problems.push(`an unclosed <${name}> at ${at(lt)}`);
        i = e < 0 ? doc.length : e;
      }
      stack.push(name);
    }
  }
  if (stack.length) problems.push(`unclosed elements: ${stack.slice(-5).join(' > ')}`);
  if (mode === 'xml' && roots !== 1) problems.push(`${roots} root elements`);
  return problems;
}
