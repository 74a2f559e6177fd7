ARG COMMON
FROM ${COMMON}
# Consul left Debian after bullseye: take 1.8.7 from there, and nothing else (pinned low).
RUN echo 'deb http://deb.debian.org/debian bullseye main' > /etc/apt/sources.list.d/bullseye.list \
 && printf 'Package: *\nPin: release n=bullseye\nPin-Priority: 100\n' > /etc/apt/preferences.d/bullseye \
 && apt-get update \
 && apt-get install -y consul \
 && rm -rf /var/lib/apt/lists/*
