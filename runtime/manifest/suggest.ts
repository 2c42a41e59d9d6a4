// "Did you mean …?" for misspelt property, task, status and plugin names.

/** Optimal string alignment distance (Levenshtein plus adjacent transpositions). */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0
  if (a.length === 0) return b.length
  if (b.length === 0) return a.length
  let prev2: number[] = []
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let best = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, prev2[j - 2]! + 1)
      }
      row.push(best)
    }
    prev2 = prev
    prev = row
  }
  return prev[b.length]!
}

// Case, spaces, `-` and `_` do not tell names apart for a human: failedStatus ~ failed_status.
function normalize(s: string): string {
  return s.toLowerCase().replace(/[\s_-]+/g, '')
}

/** The candidate closest to `word`, or undefined when none is close enough to be a likely typo. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  const w = normalize(word)
  if (w === '') return undefined
  let best: string | undefined
  let bestScore = Infinity
  for (const candidate of candidates) {
    if (candidate === word) continue
    const c = normalize(candidate)
    let score: number
    if (c === w) score = 0
    // a prefix or a part of the real name: "frequency" for "frequency_seconds"
    else if (Math.min(c.length, w.length) >= 4 && (c.includes(w) || w.includes(c))) score = 0.5
    else {
      const d = editDistance(w, c)
      score = d <= Math.max(1, Math.floor(Math.max(w.length, c.length) / 3)) ? d : Infinity
    }
    if (score < bestScore) {
      best = candidate
      bestScore = score
    }
  }
  return best
}

/** ` (did you mean "x"?)`-style suffix, or the empty string. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const match = closest(word, candidates)
  return match === undefined ? '' : `did you mean ${JSON.stringify(match)}?`
}
