// Counts in words a user reads: "1 request", "2 requests". "1 requests" and "1 finding(s)" read
// as a tool that had not counted (the server's console.counted says them the same way).

/** `n` with `word`, in its plural for any number but 1; thousands grouped as the usage views group them. */
export function counted(n: number | undefined, word: string, plural = `${word}s`): string {
  const value = n ?? 0;
  return `${value.toLocaleString('en-US')} ${value === 1 ? word : plural}`;
}
