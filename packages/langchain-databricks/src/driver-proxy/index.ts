export { trimAtStop, validateDriverProxyRequest } from "./request.js";
export {
  type DriverProxyHandler,
  type DriverProxyOutput,
  type DriverProxyRequest,
  type DriverProxyServer,
  type ServeDriverProxyOptions,
  serveDriverProxyApp,
} from "./server.js";
