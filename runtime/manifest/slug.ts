/**
 * The kebab-case slug of a task name: lowercase, every run of characters other than letters and
 * digits becomes one `-`, trimmed. "Host match" → "host-match". Letters keep their accents
 * ("Détection" → "détection") so that distinct names in any script keep distinct slugs.
 */
export function slugify(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '')
}
