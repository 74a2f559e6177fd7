import { InputError } from '../../errors.js';

/**
 * An OpenSSH client config (`~/.ssh/config` syntax) as a hosts list: every alias a `Host`
 * line names without a wildcard or `!` is a host, in file order; its settings are gathered
 * as ssh gathers them — the lines before the first `Host`, then every `Host` block whose
 * patterns match the alias, the first value of each keyword winning. faultline uses
 * HostName, User, Port and IdentityFile (the first one); other ssh keywords are accepted and
 * ignored, except those that change how the host is reached (ProxyJump, ProxyCommand), which
 * faultline cannot honour: refused for the hosts they apply to. Like ssh, an unknown keyword
 * is an error.
 */
export interface SshConfigHost {
  readonly name: string;
  readonly address: string;
  readonly port: number;
  readonly user: string;
  /** The IdentityFile as written (`~` and `%d`… expanded), or undefined: ssh's default keys are then tried. */
  readonly key: string | undefined;
  /** The line of the `Host` block that names it. */
  readonly line: number;
}

const HINT = 'an SSH config hosts file is `Host NAME` blocks with HostName, User, Port, IdentityFile (see docs/providers.md)';

/** True when the file's first line that says anything is a Host, Match or Include line: an SSH config, not YAML. */
export function looksLikeSshConfig(text: string): boolean {
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    return /^(host|match|include)(\s|=)/i.test(line);
  }
  return false;
}

/** OpenSSH's client keywords (ssh_config(5), OpenSSH 9.x), lower-case: accepted, and ignored unless used below. */
const KNOWN = new Set(
  `addkeystoagent addressfamily batchmode bindaddress bindinterface canonicaldomains canonicalizefallbacklocal canonicalizehostname
  canonicalizemaxdots canonicalizepermittedcnames casignaturealgorithms certificatefile channeltimeout checkhostip ciphers
  clearallforwardings compression connectionattempts connecttimeout controlmaster controlpath controlpersist dynamicforward
  enableescapecommandline enablesshkeysign escapechar exitonforwardfailure fingerprinthash forkafterauthentication forwardagent
  forwardx11 forwardx11timeout forwardx11trusted gatewayports globalknownhostsfile gssapiauthentication gssapidelegatecredentials
  hashknownhosts hostbasedacceptedalgorithms hostbasedauthentication hostkeyalgorithms hostkeyalias hostname identitiesonly
  identityagent identityfile ignoreunknown ipqos kbdinteractiveauthentication kbdinteractivedevices kexalgorithms knownhostscommand
  localcommand localforward loglevel logverbose macs nohostauthenticationforlocalhost numberofpasswordprompts obscurekeystroketiming
  passwordauthentication permitlocalcommand permitremoteopen pkcs11provider port preferredauthentications proxycommand proxyjump
  proxyusefdpass pubkeyacceptedalgorithms pubkeyauthentication rekeylimit remotecommand remoteforward requesttty requiredrsasize
  revokedhostkeys securitykeyprovider sendenv serveralivecountmax serveraliveinterval sessiontype setenv stdinnull
  streamlocalbindmask streamlocalbindunlink stricthostkeychecking syslogfacility tcpkeepalive tag tunnel tunneldevice
  updatehostkeys user userknownhostsfile verifyhostkeydns visualhostkey xauthlocation`.split(/\s+/),
);

/** Keywords that route the connection elsewhere: faultline connects to each host directly, so it cannot use them. */
const UNSUPPORTED: Readonly<Record<string, string>> = {
  proxyjump: 'ProxyJump',
  proxycommand: 'ProxyCommand',
};

interface Setting {
  readonly key: string;
  readonly value: string;
  readonly line: number;
}

interface Block {
  /** Undefined for the lines before the first Host: they apply to every host. */
  readonly patterns: readonly string[] | undefined;
  readonly line: number;
  readonly settings: Setting[];
}

/** `Keyword args`, `Keyword=args`, args in double quotes or not. */
function splitLine(line: string): { key: string; written: string; args: string[] } | undefined {
  const m = /^([A-Za-z0-9]+)(?:(?:\s*=\s*|\s+)(.*))?$/.exec(line);
  if (m === null) return undefined;
  const args: string[] = [];
  const re = /"([^"]*)"|(\S+)/g;
  for (let a = re.exec(m[2] ?? ''); a !== null; a = re.exec(m[2] ?? '')) args.push(a[1] ?? a[2] ?? '');
  return { key: (m[1] ?? '').toLowerCase(), written: m[1] ?? '', args };
}

/** ssh's pattern match: `*` any run, `?` one character, whole string, case-insensitive. */
export function sshPatternMatches(pattern: string, name: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
  return re.test(name);
}

/** A Host line's patterns apply when one matches and no negated one does. */
function applies(patterns: readonly string[] | undefined, alias: string): boolean {
  if (patterns === undefined) return true;
  let matched = false;
  for (const p of patterns) {
    if (p.startsWith('!')) {
      if (sshPatternMatches(p.slice(1), alias)) return false;
    } else if (sshPatternMatches(p, alias)) matched = true;
  }
  return matched;
}

/** The %-tokens ssh expands in IdentityFile and HostName that make sense here. */
function expandTokens(value: string, t: { alias: string; host: string; user: string; localUser: string; home: string }, file: string, line: number): string {
  return value.replace(/%(.)/g, (_, c: string) => {
    switch (c) {
      case '%':
        return '%';
      case 'h':
        return t.host;
      case 'n':
        return t.alias;
      case 'r':
        return t.user;
      case 'u':
        return t.localUser;
      case 'd':
        return t.home;
      default:
        throw new InputError(file, line, `%${c} in ${JSON.stringify(value)}: faultline expands only %h %n %r %u %d %%`, HINT);
    }
  });
}

const NAME = /^[a-z0-9][a-z0-9-]{0,30}$/;

/** The config's text → its named hosts; every problem an InputError at its line. Pure: no file or name lookups. */
export function parseSshConfig(text: string, file: string, local: { readonly user: string; readonly home: string }): SshConfigHost[] {
  const blocks: Block[] = [{ patterns: undefined, line: 1, settings: [] }];
  const aliases: { name: string; line: number }[] = [];
  text.split('\n').forEach((raw, i) => {
    const lineNo = i + 1;
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const parsed = splitLine(line);
    if (parsed === undefined) throw new InputError(file, lineNo, `not a \`Keyword value\` line: ${JSON.stringify(line.slice(0, 60))}`, HINT);
    const { key, args } = parsed;
    if (key === 'host') {
      if (args.length === 0) throw new InputError(file, lineNo, 'Host needs at least one name or pattern', HINT);
      blocks.push({ patterns: args, line: lineNo, settings: [] });
      for (const a of args) {
        if (/[*?!]/.test(a)) continue;
        if (!NAME.test(a)) throw new InputError(file, lineNo, `Host ${a}: a node name is lower-case letters, digits and dashes (at most 31)`, 'name the host by a short alias (Host n1) and give its address as HostName');
        if (!aliases.some((x) => x.name === a)) aliases.push({ name: a, line: lineNo });
      }
      return;
    }
    if (key === 'match') throw new InputError(file, lineNo, 'Match blocks are not supported', 'use Host blocks (a pattern such as `Host db-*` applies to the hosts it matches)');
    if (key === 'include') throw new InputError(file, lineNo, 'Include is not supported', 'give the hosts in one file');
    if (!KNOWN.has(key)) throw new InputError(file, lineNo, `unknown keyword ${JSON.stringify(parsed.written)}`, HINT);
    if (args.length === 0) throw new InputError(file, lineNo, `${parsed.written}: a value is missing`, HINT);
    blocks.at(-1)?.settings.push({ key, value: args.join(' '), line: lineNo });
  });
  if (aliases.length === 0) throw new InputError(file, undefined, 'no host: no Host line names one without a wildcard', HINT);

  const hosts = aliases.map(({ name, line }): SshConfigHost => {
    const first = new Map<string, Setting>();
    for (const b of blocks) {
      if (!applies(b.patterns, name)) continue;
      for (const s of b.settings) if (!first.has(s.key)) first.set(s.key, s);
    }
    for (const [k, label] of Object.entries(UNSUPPORTED)) {
      const s = first.get(k);
      if (s !== undefined && s.value.toLowerCase() !== 'none') throw new InputError(file, s.line, `${name}: ${label} is not supported: faultline connects to each host directly`, 'run faultline where it reaches the hosts, or give their reachable address as HostName');
    }
    const portSetting = first.get('port');
    const port = portSetting === undefined ? 22 : Number(portSetting.value);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new InputError(file, portSetting?.line, `${name}: Port ${portSetting?.value ?? ''} is not a port number`, HINT);
    const userSetting = first.get('user');
    const user = userSetting?.value ?? local.user;
    if (!/^[a-z_][a-z0-9_.-]*$/i.test(user)) throw new InputError(file, userSetting?.line ?? line, `${name}: User ${JSON.stringify(user)} is not a user name`, HINT);
    const hostSetting = first.get('hostname');
    const tokens = { alias: name, host: name, user, localUser: local.user, home: local.home };
    const address = hostSetting === undefined ? name : expandTokens(hostSetting.value, tokens, file, hostSetting.line);
    const keySetting = first.get('identityfile');
    const key = keySetting === undefined ? undefined : expandTokens(keySetting.value, { ...tokens, host: address }, file, keySetting.line);
    return { name, address, port, user, key, line };
  });
  const seen = new Map<string, string>();
  for (const h of hosts) {
    const id = `${h.address.toLowerCase()}:${h.port}`;
    const other = seen.get(id);
    if (other !== undefined) throw new InputError(file, h.line, `${h.name}: ${h.address} port ${h.port} is also ${other}`, 'each host appears once');
    seen.set(id, h.name);
  }
  return hosts;
}

/** The keys ssh tries when no IdentityFile is given, in its order (those faultline can use). */
export const DEFAULT_IDENTITIES = ['~/.ssh/id_ed25519', '~/.ssh/id_ecdsa', '~/.ssh/id_rsa'] as const;
