/** The one version shared by the action, the npm package and the GitLab component (a test keeps them in step). */
export const VERSION = '1.0.0';
/** Version of the JSON report's shape; bump on any incompatible change. */
export const REPORT_SCHEMA_VERSION = 1;
export const USER_AGENT = `go-proxy-setup/${VERSION}`;
