// "1 scenario", "2 scenarios": counts in the CLI's human lines.

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;
}
