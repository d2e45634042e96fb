export async function runCli(_argv: readonly string[]): Promise<void> {}
