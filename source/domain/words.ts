/** Words the console and the commands share, so that both count alike. */

/** "1 tenant", "3 tenants": a count and its noun, plural when it is not one. */
export const counted = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;
