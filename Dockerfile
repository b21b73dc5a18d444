# Leakwatch console image: the Next standalone build on Node 20 (Debian bookworm, like the test machines).
# Build:  docker build -t leakwatch .
# Run it next to a Dify stack with docker-compose.example.yml (host /proc and /sys/fs/cgroup read-only).
FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
ENV NEXT_TELEMETRY_DISABLED=1
RUN npx next build && bash scripts/prepare-standalone.sh

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production NEXT_TELEMETRY_DISABLED=1 PORT=3000 HOSTNAME=0.0.0.0 \
    LEAKWATCH_DATA_DIR=/data LEAKWATCH_PROC_ROOT=/host/proc LEAKWATCH_CGROUP_ROOT=/host/sys/fs/cgroup
COPY --from=build /app/.next/standalone ./
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s CMD node -e "fetch('http://127.0.0.1:3000/api/health').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
CMD ["node", "leakwatch-server.mjs"]
