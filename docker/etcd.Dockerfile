ARG COMMON
FROM ${COMMON}
RUN apt-get update \
 && apt-get install -y etcd-server etcd-client \
 && rm -rf /var/lib/apt/lists/*
