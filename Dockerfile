# syntax=docker/dockerfile:1
# The image of this checkout: the runtime (TypeScript, run directly by Node 24), the manifest
# blast.tasks.yaml and the plugins it names. A project made by `blast-tasks init` has its own
# Dockerfile (templates/init/Dockerfile). See docs/deploy.md.
FROM node:24-slim

WORKDIR /app
# dependencies first, so that an edit of a plugin does not reinstall them; --ignore-scripts: the
# runtime needs no install script, and the node devDependency is not installed (the image has Node)
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY . .

# the embedded database (used without DATABASE_URL) and the API token live in /data, owned by the
# unprivileged user the process runs as
RUN mkdir -p /data && chown node:node /data
USER node
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    BLAST_DATA_DIR=/data \
    BLAST_WATCH=false
EXPOSE 3000
VOLUME ["/data"]

# SIGTERM lets runs in flight finish for BLAST_SHUTDOWN_GRACE_SECONDS (default 10) and releases the
# rest; give the container longer than that before it is killed: `docker run --stop-timeout 20`,
# `stop_grace_period: 20s` in compose, terminationGracePeriodSeconds: 20 in Kubernetes.
STOPSIGNAL SIGTERM
# /ready answers 200 once the database is reachable and the manifest applied, 503 while starting or
# stopping. A process started with --no-api serves no HTTP: disable the check for those.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT || 3000}/ready`).then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

ENTRYPOINT ["node", "bin/blast-tasks.js"]
CMD ["start"]
