# The layer every faultline node shares: fault tooling (iptables, tc, faketime), process
# tools, and the helpers the adapters' health checks use (nc, curl).
ARG BASE
FROM ${BASE}
ENV DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8
RUN printf 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\n' > /etc/apt/apt.conf.d/90faultline \
 && apt-get update \
 && apt-get install -y iptables iproute2 faketime procps tini netcat-openbsd curl ca-certificates libtcmalloc-minimal4 \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /var/lib/faultline /var/log/faultline /etc/faultline /run/faultline
