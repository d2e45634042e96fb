/**
 * The ranking rule in words, kept next to the code it describes (rank.ts, chain.ts). The README's
 * ranking section is a copy: test/docs/drift.test.ts fails when the two differ.
 */
export const RANKING_RULE = `### How mirrors are ranked

Every candidate (the built-in catalog, the \`mirrors\` input, and the entries of the GOPROXY already in
the environment) is probed over the module proxy protocol, then ranked **lexicographically**: a
later criterion only breaks ties of the earlier ones.

1. **Usable** — every probe request (\`@v/list\`, \`@latest\`, \`.info\`, \`.mod\`, \`.zip\`) answered \`200\`
   with valid content. A mirror that answered 403, 404/410, 5xx, timed out, reset the connection or
   redirected https→http is left out, with the reason (e.g. \`answered 403 Forbidden on
   golang.org/x/text/@v/list\`, \`timed out after 2.5 s on …\`). Mirrors the probe could not finish
   before the deadline are listed as skipped, with why.
2. **Integrity** — a mirror whose \`.mod\` or \`.zip\` does not match the checksum database (or, when
   the database is unreachable, the other mirrors), or that serves an empty \`go.mod\`, is
   **never chosen** and is named in a warning. Content that could not be checked at all ranks
   after checked content.
3. **A working checksum-database route** — with \`gosumdb: auto\`, a mirror ranks higher when the
   chain it would head reaches the checksum database the way the go command will (its
   \`/sumdb/sum.golang.org/supported\` relay, or sum.golang.org itself after a 404/410), so the
   default GOSUMDB can stay.
4. **Fresh** — not behind the other usable mirrors: the highest version in its \`@v/list\` and its
   \`@latest\` answer are compared, with Go's semantic-version order, against the freshest view any
   usable mirror gives.
5. **Speed** — the estimated time of an average request the go command makes to the mirror: its
   median latency (total time of the small probe requests — list, info, mod; at least three
   samples) plus the time to transfer 64 KiB (about the average of the \`.info\`, \`.mod\` and
   \`.zip\` files each module costs) at its throughput (bytes per second of a \`.zip\` download,
   measured one mirror at a time). So a 10 ms mirror capped at 192 KB/s (~350 ms a request)
   ranks below a 50 ms mirror at 20 MB/s (~53 ms). Throughput is measured for the mirrors
   leading on latency and for every other one whose latency alone beats the leaders' estimate
   (only a wider link could put it ahead); any other mirror is given the best throughput measured,
   so it is compared by latency as if it were as fast as the best, and its reason says
   "throughput not measured".
   Estimates within max(5 ms, 10 %) of a faster mirror's count as equal: that is measurement noise.
6. **Input order** — mirrors equal on everything above (speed within that noise band included)
   keep the order the candidates were given in.

The best \`max-mirrors\` mirrors form the chain: \`private-proxy,\` first (if set; \`,\` so its errors
never send private paths to public mirrors), then the mirrors joined by \`|\` (any error — 5xx,
403, timeout — falls through to the next), then \`direct\` or \`off\` (\`fallback\`). Go older than 1.15
has no \`|\`, so \`,\` is used there and the report says so. Nothing is ever written after \`direct\` or
\`off\`, and GOPROXY is never empty.
`;
