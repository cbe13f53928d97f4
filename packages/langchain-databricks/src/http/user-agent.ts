import { PACKAGE_NAME, PACKAGE_VERSION } from "../version.js";

/** `langchain-databricks/<version> nodejs/<v> os/<platform> auth/<type>`, computed once per client. */
export function userAgent(authType: string): string {
  const proc = (
    globalThis as { process?: { version?: string; platform?: string; versions?: { node?: string } } }
  ).process;
  const runtime =
    typeof proc?.versions?.node === "string"
      ? ` nodejs/${proc.versions.node} os/${proc.platform ?? "unknown"}`
      : typeof (globalThis as { navigator?: { userAgent?: unknown } }).navigator?.userAgent === "string"
        ? " runtime/web"
        : "";
  return `${PACKAGE_NAME}/${PACKAGE_VERSION}${runtime} auth/${authType}`;
}
