import "server-only";
import { ConfigError, getConfig } from "@/server/config";

// Node-only start-up: validate the configuration (a bad setting stops the process, naming the variable), then start.
export async function boot(): Promise<void> {
  try {
    getConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`leakwatch: invalid configuration: ${e.message}`);
      process.exit(78); // EX_CONFIG
    }
    throw e;
  }
  const { start } = await import("./runtime");
  void start();
}
