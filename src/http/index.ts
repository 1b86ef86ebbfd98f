export {
  DEFAULT_HTTP_HOST,
  DEFAULT_HTTP_PORT,
  parseListenAddress,
  startHttpServer,
  type HttpServerOptions,
  type Readiness,
  type RunningHttpServer,
} from "./server.js";
