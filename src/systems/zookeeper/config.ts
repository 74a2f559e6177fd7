/** Pure config rendering for ZooKeeper: tested without a cluster. */
export const ZK_PORT = 2181;
export const ZK_CONF_DIR = '/etc/faultline/zookeeper';
export const ZK_DATA = '/var/lib/faultline/zookeeper';
export const ZK_LOG = '/var/log/faultline/zookeeper.log';
/** The JVM heap is bounded: the default (¼ of RAM per node) does not fit 5 nodes on a laptop. */
export const ZK_HEAP = '-Xmx384m';

export function renderZooCfg(addresses: readonly string[]): string {
  const lines = [
    'tickTime=2000',
    'initLimit=10',
    'syncLimit=5',
    `clientPort=${ZK_PORT}`,
    `dataDir=${ZK_DATA}`,
    '4lw.commands.whitelist=srvr,stat,ruok,mntr,conf,cons,wchs',
    // Debian's package has no Jetty: the admin server would only log a failure.
    'admin.enableServer=false',
    // Dynamic reconfiguration (the member fault): servers carry their client port, and
    // reconfig is allowed without a super user (faultline's workloads set no ACLs).
    'reconfigEnabled=true',
    'skipACL=yes',
    'standaloneEnabled=false',
    ...addresses.map((address, i) => zkServerLine(i + 1, address)),
  ];
  return `${lines.join('\n')}\n`;
}

/** One ensemble member as static and dynamic config write it. */
export function zkServerLine(id: number, address: string): string {
  return `server.${id}=${address}:2888:3888:participant;${ZK_PORT}`;
}

/** Logs to stdout, which the daemon wrapper sends to ZK_LOG. */
export function renderLog4j(): string {
  return [
    'log4j.rootLogger=INFO, CONSOLE',
    'log4j.appender.CONSOLE=org.apache.log4j.ConsoleAppender',
    'log4j.appender.CONSOLE.layout=org.apache.log4j.PatternLayout',
    'log4j.appender.CONSOLE.layout.ConversionPattern=%d{ISO8601} [myid:%X{myid}] - %-5p [%t:%C{1}@%L] - %m%n',
    '',
  ].join('\n');
}

/**
 * Runs the quorum peer directly instead of through zkServer.sh, whose foreground mode has no
 * logging binding on the classpath (SLF4J falls back to no-op and nothing is logged).
 */
/**
 * `trustEmptySnapshot` sets zookeeper.snapshot.trust.empty: start from the transaction log
 * alone when no snapshot is readable. ZooKeeper 3.8 writes its first snapshot (snapshot.0)
 * without fsync, so a power cut soon after the first start leaves it empty and the server
 * then refuses to start ("No snapshot found, but there are log entries").
 */
export function zkArgv(options: { readonly trustEmptySnapshot?: boolean; readonly snapshotCount?: number } = {}): string[] {
  const classpath = [
    ZK_CONF_DIR,
    '/usr/share/java/zookeeper.jar',
    '/usr/share/java/slf4j-log4j12.jar',
    '/usr/share/java/log4j-1.2.jar',
  ].join(':');
  return [
    'java',
    ZK_HEAP,
    '-cp',
    classpath,
    `-Dlog4j.configuration=file:${ZK_CONF_DIR}/log4j.properties`,
    ...(options.trustEmptySnapshot === true ? ['-Dzookeeper.snapshot.trust.empty=true'] : []),
    // snapCount: transactions between snapshots; commitLogCount: proposals the leader keeps in
    // memory to send a follower as a DIFF — behind by more, it is sent a snapshot (SNAP).
    ...(options.snapshotCount === undefined ? [] : [`-Dzookeeper.snapCount=${options.snapshotCount}`, `-Dzookeeper.commitLogCount=${options.snapshotCount}`]),
    'org.apache.zookeeper.server.quorum.QuorumPeerMain',
    `${ZK_CONF_DIR}/zoo.cfg`,
  ];
}

/** The `Mode:` line of `srvr` (leader, follower, standalone), or undefined when not serving. */
export function parseMode(srvr: string): string | undefined {
  return /^Mode:\s*(\S+)/m.exec(srvr)?.[1];
}

/** Healthy means exactly one leader and every other node following (or one standalone node). */
export function quorumHealth(modes: readonly (string | undefined)[]): { ok: boolean; firstBad: number | undefined } {
  if (modes.length === 1) return { ok: modes[0] === 'standalone', firstBad: modes[0] === 'standalone' ? undefined : 0 };
  const leaders = modes.filter((m) => m === 'leader').length;
  const firstBad = modes.findIndex((m) => m !== 'leader' && m !== 'follower');
  if (firstBad >= 0) return { ok: false, firstBad };
  if (leaders !== 1) return { ok: false, firstBad: modes.findIndex((m) => m === 'leader') };
  return { ok: true, firstBad: undefined };
}

/** ZooKeeper's default commit log (proposals kept in memory for DIFF syncs). */
export const ZK_DEFAULT_COMMIT_LOG = 500;

/** From `srvr`: the last zxid (epoch in the high 32 bits, counter in the low). */
export function parseZxid(srvr: string): { epoch: number; counter: number } | undefined {
  const hex = /^Zxid:\s*0x([0-9a-f]+)/im.exec(srvr)?.[1];
  if (hex === undefined) return undefined;
  const zxid = BigInt(`0x${hex}`);
  return { epoch: Number(zxid >> 32n), counter: Number(zxid & 0xffffffffn) };
}

/** From `mntr`: one numeric value (`zk_global_sessions`), undefined when absent. */
export function parseMntr(mntr: string, key: string): number | undefined {
  const m = new RegExp(`^${key}\\s+(\\d+)`, 'm').exec(mntr)?.[1];
  return m === undefined ? undefined : Number(m);
}
