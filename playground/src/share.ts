/**
 * The share link: the source, deflated and base64url-encoded, in the URL's fragment — which
 * browsers never send to a server, so a shared model stays in the link.
 */
import { deflateSync, inflateSync, strFromU8, strToU8 } from 'fflate';

const key = 'src=';

export function shareUrl(source: string, page: string): string {
  const packed = deflateSync(strToU8(source), { level: 9 });
  let binary = '';
  for (const b of packed) binary += String.fromCharCode(b);
  const b64 = btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  return `${page.split('#')[0]}#${key}${b64}`;
}

/** The source a link's fragment carries, or null (none, or not one of ours). */
export function sharedSource(hash: string): string | null {
  const at = hash.indexOf(key);
  if (at < 0) return null;
  try {
    const b64 = hash
      .slice(at + key.length)
      .replace(/-/g, '+')
      .replace(/_/g, '/');
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    return strFromU8(inflateSync(bytes));
  } catch {
    return null;
  }
}
