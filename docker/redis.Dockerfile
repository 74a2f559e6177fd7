ARG COMMON
FROM ${COMMON}
RUN apt-get update \
 && apt-get install -y redis-server redis-tools redis-sentinel \
 && rm -rf /var/lib/apt/lists/*
