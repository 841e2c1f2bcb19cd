/** Nothing shared to start yet; real services are started by .ci/run (see scripts/test-env.sh). */
export async function setup(): Promise<void> {}
