/**
 * The specification's wire shape: snake_case keys out (records are camelCase inside). Only
 * camelCase keys change, so map keys such as severities (CRITICAL) and service names stay.
 */
const CAMEL = /^[a-z][a-zA-Z0-9]*$/;

const snake = (key: string) => (CAMEL.test(key) ? key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`) : key);

export function toWire(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toWire);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [snake(k), toWire(v)]),
  );
}
