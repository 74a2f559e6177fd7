# The layer every faultline node shares: fault tooling (iptables, tc, faketime, the disk-fault
# file system faultline-fs, the vDSO clock mover faultline-vdso-clock), process tools, and the helpers the adapters' health checks use (nc, curl).
ARG BASE

# faultline-fs is compiled in a stage of its own: gcc and the headers stay out of the node image.
FROM ${BASE} AS faultline-fs
RUN apt-get update \
 && apt-get install -y --no-install-recommends gcc libc6-dev libfuse3-dev pkg-config \
 && rm -rf /var/lib/apt/lists/*
COPY faultline-fs.c /src/faultline-fs.c
RUN gcc -O2 -Wall -Wextra -Werror -o /faultline-fs /src/faultline-fs.c $(pkg-config --cflags --libs fuse3) -lpthread

# faultline-vdso-clock (clock faults for Go servers, x86_64) is compiled the same way, in its own stage.
FROM ${BASE} AS faultline-vdso-clock
RUN apt-get update \
 && apt-get install -y --no-install-recommends gcc libc6-dev \
 && rm -rf /var/lib/apt/lists/*
COPY faultline-vdso-clock.c /src/faultline-vdso-clock.c
RUN gcc -O2 -Wall -Wextra -Werror -o /faultline-vdso-clock /src/faultline-vdso-clock.c

FROM ${BASE}
ENV DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8
RUN printf 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\n' > /etc/apt/apt.conf.d/90faultline \
 && apt-get update \
 && apt-get install -y iptables iproute2 faketime procps tini netcat-openbsd curl ca-certificates libtcmalloc-minimal4 libfuse3-3 \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /var/lib/faultline /var/log/faultline /etc/faultline /run/faultline
COPY --from=faultline-fs /faultline-fs /usr/local/bin/faultline-fs
COPY --from=faultline-vdso-clock /faultline-vdso-clock /usr/local/bin/faultline-vdso-clock
