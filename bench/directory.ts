// The admin center's users directory at 100,000 users (issue 6: "search,
// filter, sort, paging that stays fast at 100,000 users"). Seeds one
// organization in an in-memory PGlite (the default store) with SQL — 60 %
// on the built-in bridge, 20 % on a third-party provider, 20 % without
// dial-in — plus a second organization of 10,000 users that must never show,
// then times the real use case (src/admin/directory.ts) for the pages the
// admin center asks for.
//
//   npm run bench:directory                 # 100,000 users
//   BENCH_USERS=20000 npm run bench:directory
//
// Writes bench/results/directory.json and bench/results/directory.md.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { openStore } from '../src/store/open.ts';
import { listDirectory, type DirectoryQuery } from '../src/admin/directory.ts';

const USERS = Number(process.env.BENCH_USERS ?? 100_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const RESULTS = fileURLToPath(new URL('./results/', import.meta.url));

// BENCH_DATA_DIR keeps the seeded store between runs (for trying out queries).
const dataDir = process.env.BENCH_DATA_DIR;
const db = await openStore({ dataDir });
const t0 = performance.now();
const seeded = await db.query(`select 1 from organizations where id = 'org-a'`);
if (!seeded.length) {
  await seed('org-a', 'contoso', USERS);
  await seed('org-b', 'fabrikam', Math.min(10_000, USERS));
}
await db.query('analyze');
const seedMs = performance.now() - t0;
console.log(`seeded ${USERS} users (+ another organization) in ${(seedMs / 1000).toFixed(1)} s`);
if (process.argv.includes('--seed-only')) {
  await db.close();
  process.exit(0);
}

async function seed(org: string, name: string, n: number): Promise<void> {
  const prefix = org === 'org-a' ? '+1425555' : '+1425556';
  await db.query(`insert into organizations (id, name, operator) values ($1, $2, $3)`, [
    org,
    name,
    org === 'org-a',
  ]);
  await db.query(
    `insert into bridges (id, org_id, name, is_default) values ($1, $2, 'Bridge', true)`,
    [`${org}-bridge`, org],
  );
  // 20 toll and 5 toll-free numbers on the bridge.
  await db.query(
    `insert into service_numbers (number, org_id, bridge_id, type, city, primary_language)
     select $2 || lpad(g::text, 4, '0'), $1, $1 || '-bridge',
            case when g <= 20 then 'Toll' else 'TollFree' end, 'City ' || g, 'en-US'
     from generate_series(1, 25) g`,
    [org, prefix],
  );
  const first = ['Amos', 'Beth', 'Carlos', 'Dana', 'Eli', 'Fatima', 'Goran', 'Hana', 'Ivo', 'Jun'];
  const last = ['Marble', 'Novak', 'Okafor', 'Petrov', 'Quinn', 'Rossi', 'Sato', 'Tanaka'];
  // Provider by p (a hash of g, so it does not follow the name order): 0-5
  // BuiltIn, 6-7 ThirdParty, 8-9 None (9 licensed anyway).
  await db.query(
    `insert into users (id, org_id, upn, display_name, email, sip_address, licenses, provider,
                        conference_id, bridge_id, service_number, toll_free_service_number)
     select $1 || '-u' || g, $1,
            'user' || g || '@' || $2 || '.com',
            ($3::text[])[1 + g % 10] || ' ' || ($4::text[])[1 + (g / 10) % 8] || ' ' || g,
            'user' || g || '@' || $2 || '.com',
            'sip:user' || g || '@' || $2 || '.com',
            case when p <= 5 or p = 9 then '["MCOMEETADV"]'::jsonb else '[]'::jsonb end,
            case when p <= 5 then 'BuiltIn' when p <= 7 then 'ThirdParty' else 'None' end,
            case when p <= 5 then ($5::int * 1000000 + g)::text end,
            case when p <= 5 then $1 || '-bridge' end,
            case when p <= 5 then $6 || lpad((1 + g % 20)::text, 4, '0') end,
            case when p <= 2 then $6 || lpad((21 + g % 5)::text, 4, '0') end
     from (select g, abs(hashtext('p' || g)) % 10 as p from generate_series(1, $7::int) g) s`,
    [org, name, first, last, org === 'org-a' ? 1 : 9, prefix, n],
  );
  await db.query(
    `insert into user_acp (user_id, name, domain, toll_number, toll_free_numbers, participant_passcode)
     select u.id, case when abs(hashtext(u.id)) % 2 = 0 then 'Acme Audio' else 'Zeta Conferencing' end,
            'provider.example', '+18005550' || lpad((abs(hashtext(u.id)) % 1000)::text, 3, '0'),
            '["+18885550100"]'::jsonb, (abs(hashtext(u.id)) % 100000000)::text
     from users u where u.org_id = $1 and u.provider = 'ThirdParty'`,
    [org],
  );
}

interface Case {
  name: string;
  query: DirectoryQuery;
}

const mid = Math.floor(USERS / 2);
const cases: Case[] = [
  { name: 'first page, by display name', query: {} },
  { name: 'page at offset 50,000 (or the middle)', query: { offset: Math.min(50_000, mid) } },
  { name: 'last page, by display name', query: { offset: USERS - 50 } },
  { name: 'by display name, descending', query: { order: 'desc' } },
  { name: 'by user principal name', query: { sort: 'userPrincipalName' } },
  { name: 'by conference ID', query: { sort: 'conferenceId' } },
  { name: 'by conference ID, descending', query: { sort: 'conferenceId', order: 'desc' } },
  { name: 'by provider', query: { sort: 'provider' } },
  { name: 'by toll number', query: { sort: 'tollNumber', order: 'desc' } },
  { name: 'filter: built-in', query: { provider: 'BuiltIn' } },
  {
    name: 'filter: third-party, by conference ID',
    query: { provider: 'ThirdParty', sort: 'conferenceId' },
  },
  { name: 'filter: unlicensed', query: { licensed: 'false' } },
  { name: 'search "tanaka" (many hits)', query: { search: 'tanaka' } },
  { name: `search "user${mid}@" (one hit)`, query: { search: `user${mid}@` } },
  { name: 'search digits "5550123"', query: { search: '5550123' } },
  { name: 'search with no hit', query: { search: 'nobody-is-called-this' } },
];

interface Result {
  name: string;
  query: DirectoryQuery;
  total: number;
  medianMs: number;
  p95Ms: number;
  maxMs: number;
}

const results: Result[] = [];
for (const c of cases) {
  const times: number[] = [];
  let total = 0;
  for (let i = 0; i < RUNS + 2; i++) {
    const s = performance.now();
    const page = await listDirectory(db, 'org-a', c.query);
    const ms = performance.now() - s;
    total = page.total;
    if (page.items.some((u) => !u.userPrincipalName.endsWith('@contoso.com')))
      throw new Error(`${c.name}: another organization's user is listed`);
    if (i >= 2) times.push(ms); // the first two warm the cache
  }
  times.sort((a, b) => a - b);
  const r: Result = {
    name: c.name,
    query: c.query,
    total,
    medianMs: round(times[Math.floor(times.length / 2)]!),
    p95Ms: round(times[Math.min(times.length - 1, Math.ceil(times.length * 0.95) - 1)]!),
    maxMs: round(times[times.length - 1]!),
  };
  results.push(r);
  console.log(
    `${r.name.padEnd(45)} total ${String(r.total).padStart(7)}  median ${r.medianMs} ms  p95 ${r.p95Ms} ms`,
  );
}
await db.close();

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

const machine = {
  cpu: os.cpus()[0]?.model ?? 'unknown',
  cores: os.cpus().length,
  node: process.version,
  store: 'PGlite (in memory)',
  at: new Date().toISOString(),
};
mkdirSync(RESULTS, { recursive: true });
writeFileSync(
  join(RESULTS, 'directory.json'),
  JSON.stringify({ users: USERS, runs: RUNS, seedMs: round(seedMs), machine, results }, null, 2) +
    '\n',
);
const md = [
  '# Users directory at ' + USERS.toLocaleString('en-US') + ' users',
  '',
  `\`npm run bench:directory\` — ${machine.store}, ${machine.cpu} (${machine.cores} cores), Node ${machine.node}, ${machine.at}.`,
  `One organization of ${USERS.toLocaleString('en-US')} users (60 % built-in, 20 % third-party provider, 20 % without dial-in) and another of ${Math.min(10_000, USERS).toLocaleString('en-US')} that never shows.`,
  `Each row is \`GET /api/v1/directory/users\`'s use case (page of 50 and the total), ${RUNS} runs after 2 warm-up runs.`,
  '',
  '| page | total | median ms | p95 ms | max ms |',
  '| --- | ---: | ---: | ---: | ---: |',
  ...results.map((r) => `| ${r.name} | ${r.total} | ${r.medianMs} | ${r.p95Ms} | ${r.maxMs} |`),
  '',
  'How: every sort key is an index with the organization (the provider-dependent ones are',
  'columns kept by triggers), so a page reads 50 index entries; the total without a search',
  'comes from counts kept by triggers; a search uses a pg_trgm index on one lower-cased',
  'column. Slowest: a page in the middle (the walk to offset 50,000; pages past the middle',
  'are read from the other end) and a search with thousands of hits (counting them all).',
  '',
].join('\n');
writeFileSync(join(RESULTS, 'directory.md'), md);
console.log(`wrote ${join(RESULTS, 'directory.md')}`);
