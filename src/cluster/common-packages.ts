/**
 * The Debian packages every node has whatever its system: fault tooling (iptables, tc,
 * faketime), process tools, and the helpers the adapters' health checks use (nc, curl).
 * docker/common.Dockerfile installs the same list (a unit test keeps the two equal); the
 * SSH provider installs it on each host beside the system's own packages.
 */
export const COMMON_PACKAGES = ['iptables', 'iproute2', 'faketime', 'procps', 'tini', 'netcat-openbsd', 'curl', 'ca-certificates', 'libtcmalloc-minimal4'] as const;

/** The folders the systems keep their config, data, logs and pid files in. */
export const NODE_DIRS = ['/var/lib/faultline', '/var/log/faultline', '/etc/faultline', '/run/faultline'] as const;
