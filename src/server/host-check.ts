/**
 * DNS rebinding: a web page on evil.example can make its own name resolve to 127.0.0.1 and
 * then read this server's answers as same-origin. Binding to loopback does not stop that;
 * the `Host` header does, because the browser still sends the attacker's name in it. So a
 * request is served only when its Host names this machine by a name no outsider controls:
 * `localhost`, a loopback IP literal (an IP literal cannot be rebound), or the address the
 * server is bound to. Pure, so it is tested without a socket.
 */
export function allowedHost(host: string | undefined, boundAddress: string): boolean {
  if (host === undefined) return false;
  const name = hostName(host.trim().toLowerCase());
  if (name === undefined) return false;
  const bare = name.endsWith('.') ? name.slice(0, -1) : name;
  return bare === 'localhost' || isLoopbackLiteral(bare) || bare === boundAddress.toLowerCase();
}

/** The host part of a Host header (`name[:port]`, `[v6][:port]`), or undefined when it is malformed. */
function hostName(host: string): string | undefined {
  const m = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(host);
  if (m === null || m[1] === undefined) return undefined;
  return m[1].startsWith('[') ? m[1].slice(1, -1) : m[1];
}

function isLoopbackLiteral(name: string): boolean {
  if (name === '::1' || name === '0:0:0:0:0:0:0:1') return true;
  const v4 = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(name);
  return v4 !== null && v4.slice(1).every((octet) => Number(octet) <= 255);
}
