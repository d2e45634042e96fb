export async function runMain(): Promise<void> {}
