/**
 * Module path and version case-encoding of the module proxy protocol (golang.org/x/mod/module
 * EscapePath / EscapeVersion): each upper-case letter becomes '!' + its lower-case form.
 */

export function escapeModulePath(path: string): string {
  if (path === '' || path.includes('!')) throw new Error(`invalid module path "${path}"`);
  return escapeCase(path);
}

export function escapeModuleVersion(version: string): string {
  if (version === '' || version.includes('!') || /[\s/\\:*?"<>|]/.test(version)) {
    throw new Error(`invalid module version "${version}"`);
  }
  return escapeCase(version);
}

export function unescapeModulePath(escaped: string): string {
  let out = '';
  for (let i = 0; i < escaped.length; i++) {
    const c = escaped[i]!;
    if (c >= 'A' && c <= 'Z') throw new Error(`invalid escaped module path "${escaped}"`);
    if (c === '!') {
      const next = escaped[i + 1];
      if (next === undefined || next < 'a' || next > 'z') {
        throw new Error(`invalid escaped module path "${escaped}"`);
      }
      out += next.toUpperCase();
      i++;
    } else {
      out += c;
    }
  }
  if (out === '') throw new Error('invalid escaped module path ""');
  return out;
}

function escapeCase(s: string): string {
  return s.replace(/[A-Z]/g, (c) => `!${c.toLowerCase()}`);
}

/** Path of a proxy endpoint, percent-encoding '!' as the go command does (url.PathEscape). */
export function proxyPath(modulePath: string, suffix: string): string {
  return `${escapeModulePath(modulePath).replaceAll('!', '%21')}/${suffix.replaceAll('!', '%21')}`;
}
