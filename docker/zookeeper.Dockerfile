ARG COMMON
FROM ${COMMON}
# The JRE's postinst needs the man folder that minimal images leave out.
RUN mkdir -p /usr/share/man/man1 \
 && apt-get update \
 && apt-get install -y zookeeper \
 && rm -rf /var/lib/apt/lists/*
