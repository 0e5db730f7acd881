# One image per app: docker build --build-arg APP=auth|resource|webapp .
# NODE_IMAGE lets an air-gapped site (and CI here) substitute a local base image.
ARG NODE_IMAGE=node:24-bookworm-slim

# All dependencies, for building and testing.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error

# Compiles one app into a single dist/apps/$APP/main.js (node_modules stay external) and its
# source map, main.js.map.
FROM ${NODE_IMAGE} AS build
ARG APP=webapp
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json nest-cli.json tsconfig.json tsconfig.build.json webpack.config.js ./
COPY libs ./libs
COPY apps ./apps
RUN test -n "$APP" && npx nest build "$APP"

# The unit and transport tests, run inside the image by run-unittests-docker.sh.
FROM build AS test
COPY jest.config.js eslint.config.mjs .prettierrc ./
CMD ["npx", "jest", "--ci"]

# Production dependencies only. --omit=optional leaves out what no service loads at run time:
# webpack (an optional peer of @sentry/node's bundler plugins) and the native parsers those
# plugins use, 33 of 236 MB.
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --omit=optional --no-audit --no-fund --loglevel=error && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ARG APP=webapp
ENV NODE_ENV=production APP=${APP}
WORKDIR /app
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist/apps/${APP}/main.js /app/dist/apps/${APP}/main.js.map ./dist/apps/${APP}/
COPY scripts/healthcheck.js ./scripts/healthcheck.js
USER node
EXPOSE 5001 5002 5003
HEALTHCHECK --interval=5s --timeout=3s --start-period=5s --retries=5 CMD ["node", "scripts/healthcheck.js"]
# exec: node is PID 1 and gets SIGTERM itself, for a graceful stop. The flags are those of
# scripts/runtime-flags.js (why: there): source maps, and a heap that fits a 256 MB container.
CMD ["sh", "-c", "exec node --enable-source-maps --max-semi-space-size=8 --max-old-space-size=128 dist/apps/${APP}/main.js"]
