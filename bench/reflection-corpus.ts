/**
 * The labelled evaluation set of bench/reflection-search.ts, built
 * deterministically (no model, no network):
 *
 * - TOPICS: 55 hand-written topics. Each has one query, written as a
 *   paraphrase of its notes in other words (synonyms, another angle on the
 *   same problem), and four hand-written notes that are relevant to it (the
 *   labels). Queries were written to share as few words as possible with
 *   their notes; the bench measures and prints the actual overlap.
 * - Distractors: notes about unrelated software chores, generated from a small
 *   grammar (subject × action × reason × context) with a seeded PRNG, to pad the
 *   corpus to any size (≥ 1,000 for recall, 10,000 for latency). They are
 *   not labelled relevant to any query; a generated note could by chance be
 *   about a query's subject, which would count against both methods alike.
 */
import { mulberry32 } from '../src/analytics/prng.js';

export interface Topic {
  query: string;
  notes: [string, string, string, string];
}

export const TOPICS: Topic[] = [
  {
    query: 'concurrent readers stall while a transaction commits',
    notes: [
      'Enable write-ahead logging so the database does not lock out lookups during writes',
      'SQLite journal mode WAL lets selects proceed while an insert is in progress',
      'Switching the db to WAL removed the "database is locked" errors under parallel access',
      'Busy timeouts appeared because rollback journal blocks every query during a write',
    ],
  },
  {
    query: 'RAM keeps climbing until the process is killed',
    notes: [
      'Memory usage grows when the cache never evicts old entries',
      'The heap snapshot showed an unbounded map of listeners: a leak',
      'OOM killer ended the worker after its resident size doubled overnight',
      'Added an LRU bound so the in-memory store stops growing forever',
    ],
  },
  {
    query: 'intermittently failing browser checks in the pipeline',
    notes: [
      'Flaky end-to-end tests were caused by a race in the login fixture',
      'Playwright specs pass locally but time out randomly on CI',
      'Retrying e2e suites hides nondeterministic UI waits; fix the selectors instead',
      'Headless chrome runs occasionally miss the animation end event',
    ],
  },
  {
    query: 'car will not start on frosty days',
    notes: [
      'The automobile battery is weak in cold weather; charge it overnight',
      'Vehicle ignition fails below zero unless the engine block heater is on',
      'My truck cranks slowly in January; replaced the old accumulator',
      'Diesel engines struggle to fire up when temperatures drop',
    ],
  },
  {
    query: 'secret credentials accidentally pushed to the repository',
    notes: [
      'An API key was committed to git; rotate it and purge it from history',
      'Leaked AWS token in a public commit was revoked within an hour',
      'Add a pre-commit hook that scans for passwords before they reach the remote',
      'Use git filter-repo to remove the .env file that contained the database password',
    ],
  },
  {
    query: 'pages render slowly for visitors far away',
    notes: [
      'Serve static assets from a CDN edge to cut latency abroad',
      'Users in Australia saw 3 second loads until we cached at the edge',
      'Geographic distance to the origin server dominated time to first byte',
      'A content delivery network made the site fast outside Europe',
    ],
  },
  {
    query: 'which release introduced the regression',
    notes: [
      'Use git bisect to find the commit that broke the parser',
      'Binary search over history pinpointed the bad change in twelve steps',
      'Bisecting between v2.3 and v2.4 showed the culprit was the date refactor',
      'Automated bisect with a test script finds the offending revision quickly',
    ],
  },
  {
    query: 'time zones shift stored appointments by an hour',
    notes: [
      'Daylight saving changes moved meetings because we stored local times',
      'Always persist timestamps in UTC and convert at display',
      'The calendar bug came from naive datetime objects without an offset',
      'DST transition in March broke the scheduler that assumed 24-hour days',
    ],
  },
  {
    query: 'duplicate charges when the customer clicks pay twice',
    notes: [
      'Idempotency keys on the payment endpoint prevent double billing',
      'Disable the submit button after the first click to avoid repeated orders',
      'Stripe retries created two invoices until requests carried a unique token',
      'Deduplicate checkout requests server-side by order reference',
    ],
  },
  {
    query: 'build takes ages on every small change',
    notes: [
      'Incremental compilation with tsc --build cut rebuilds to seconds',
      'Caching node_modules and the compiler output sped CI up fivefold',
      'Webpack recompiled everything; switching to esbuild made edits instant',
      'Turn on the persistent cache so unchanged modules are not transpiled again',
    ],
  },
  {
    query: 'users cannot log in after the password reset email',
    notes: [
      'Reset tokens expired too early because the clock on the mail worker drifted',
      'The recovery link was single-use and the email scanner consumed it',
      'Account recovery failed when the token was URL-encoded twice',
      'Sign-in broke for people who changed their credentials via the forgot flow',
    ],
  },
  {
    query: 'spreadsheet export garbles accented characters',
    notes: [
      'CSV files need a UTF-8 BOM or Excel shows mojibake for é and ü',
      'Encoding mismatch turned umlauts into question marks in the download',
      'Write the export as UTF-8 with a byte order mark for Windows users',
      'Latin-1 default in the writer corrupted names like José',
    ],
  },
  {
    query: 'service falls over when traffic spikes',
    notes: [
      'Autoscaling lagged behind the surge; pre-warm instances before launches',
      'Add rate limiting so bursts cannot exhaust the connection pool',
      'Load shedding returns 503 early instead of collapsing under peak demand',
      'The API crashed at 10x normal requests; a queue now absorbs bursts',
    ],
  },
  {
    query: 'mobile layout overflows on narrow phones',
    notes: [
      'Responsive breakpoints were missing below 360px width',
      'Horizontal scrolling on small screens came from a fixed-width table',
      'Use flex-wrap so the toolbar does not spill off handheld displays',
      'CSS media queries fixed the cramped view on the iPhone SE',
    ],
  },
  {
    query: 'emails land in the junk folder',
    notes: [
      'Configure SPF, DKIM and DMARC so messages are not flagged as spam',
      'Our newsletters were filtered because the sending domain lacked authentication records',
      'Gmail marked notifications as spam until we warmed up the IP',
      'Deliverability improved after signing outgoing mail with DKIM',
    ],
  },
  {
    query: 'search results ignore synonyms and rephrasings',
    notes: [
      'Keyword matching misses paraphrases; add embeddings for semantic retrieval',
      'BM25 cannot connect automobile and car; a vector index can',
      'Lexical search fails when the question uses different vocabulary',
      'Hybrid ranking with dense vectors found answers that full-text could not',
    ],
  },
  {
    query: 'container image is enormous',
    notes: [
      'Multi-stage Docker builds dropped the image from 1.2 GB to 90 MB',
      'Use a slim base and remove build tools from the final layer',
      'The docker image shipped the whole dev toolchain; prune it',
      'Alpine base plus .dockerignore made the artefact far smaller',
    ],
  },
  {
    query: 'tests depend on each other and break when reordered',
    notes: [
      'Shared global state between specs made the suite order-sensitive',
      'Reset the database before each case so they are isolated',
      'Running the unit suite shuffled exposed hidden coupling through a singleton',
      'One test mutated a fixture that later ones relied on',
    ],
  },
  {
    query: 'disk on the server filled up overnight',
    notes: [
      'Log rotation was off and debug output consumed all storage',
      'The volume hit 100% because core dumps were never cleaned',
      'Add logrotate with compression and a seven-day retention',
      'Temporary upload files accumulated and exhausted the partition',
    ],
  },
  {
    query: 'clock skew between machines breaks token validation',
    notes: [
      'JWT exp checks failed because hosts were not running NTP',
      'Allow a small leeway when verifying expiry to tolerate drift',
      'Time synchronisation issues made fresh tokens look expired',
      'Chrony fixed the few seconds of drift that rejected signed requests',
    ],
  },
  {
    query: 'cross-origin requests blocked in the browser',
    notes: [
      'Add Access-Control-Allow-Origin for the front-end domain',
      'The CORS preflight failed because OPTIONS was not routed',
      'Fetch calls from the SPA were rejected by the same-origin policy',
      'Configure allowed origins and headers on the API gateway',
    ],
  },
  {
    query: 'queries got slow as the table grew',
    notes: [
      'Add an index on created_at; the planner was doing a full scan',
      'EXPLAIN showed a sequential scan over millions of rows',
      'A composite index on (user_id, date) fixed the report latency',
      'Missing index made lookups degrade linearly with row count',
    ],
  },
  {
    query: 'app freezes while doing heavy computation',
    notes: [
      'Move CPU-bound work to a worker thread so the event loop stays responsive',
      'The UI thread was blocked by parsing a huge JSON document',
      'Offload image processing to a background job instead of the request handler',
      'Long synchronous loops starved the event loop; chunk them',
    ],
  },
  {
    query: 'new hires take weeks to get a working setup',
    notes: [
      'A devcontainer gives every newcomer the same environment in minutes',
      'Document onboarding steps and script the local installation',
      'Provision laptops with a bootstrap script rather than a wiki page',
      'Reproducible dev environments removed the "works on my machine" week',
    ],
  },
  {
    query: 'dependency update broke production unexpectedly',
    notes: [
      'Pin exact versions and use a lockfile so upgrades are deliberate',
      'A minor release of a library changed behaviour; semver is not a guarantee',
      'Renovate opens upgrade PRs that run the full suite before merging',
      'Transitive package bump introduced a breaking API change',
    ],
  },
  {
    query: 'numbers like 0.1 plus 0.2 come out wrong',
    notes: [
      'Floating point rounding: use integer cents for money',
      'Binary doubles cannot represent decimal fractions exactly',
      'Use a decimal library for currency arithmetic',
      'Totals were off by a cent due to IEEE 754 precision',
    ],
  },
  {
    query: 'forgot to undo half-applied schema changes',
    notes: [
      'Every migration needs a down script so a failed deploy can roll back',
      'Wrap DDL in a transaction where the database supports it',
      'A partial migration left the column renamed but the index missing',
      'Test rollbacks of database migrations in staging',
    ],
  },
  {
    query: 'screen reader users cannot use the form',
    notes: [
      'Add labels and aria attributes to inputs for accessibility',
      'Blind users could not tell which field had an error',
      'Buttons without accessible names were announced as "button"',
      'Audit with axe to find missing alt text and form labels',
    ],
  },
  {
    query: 'background jobs run twice after a crash',
    notes: [
      'At-least-once delivery means handlers must be idempotent',
      'The queue redelivered messages whose ack was lost',
      'Use a lease with a heartbeat so only one worker processes a task',
      'A worker died mid-task and the job was picked up again',
    ],
  },
  {
    query: 'logs are impossible to search across services',
    notes: [
      'Ship structured JSON logs to a central store',
      'Add a correlation id to trace one request through every microservice',
      'grep over ten hosts does not scale; use centralised logging',
      'Distributed tracing ties spans from each component together',
    ],
  },
  {
    query: 'website hacked through a form field',
    notes: [
      'Parameterise SQL; string concatenation allowed injection',
      'Escape user input in templates to prevent XSS',
      'An attacker dumped the users table via an unsanitised search box',
      'Validate and encode inputs; never build queries from raw text',
    ],
  },
  {
    query: 'the laptop battery drains fast during video calls',
    notes: [
      'Hardware acceleration off made the CPU encode video in software',
      'Conferencing apps burn power; lower the camera resolution',
      'Zoom used 300% CPU and emptied the charge in an hour',
      'Close background tabs during meetings to save energy',
    ],
  },
  {
    query: 'merging branches keeps producing conflicts',
    notes: [
      'Rebase feature work often so it does not drift from main',
      'Long-lived branches diverge; integrate small changes daily',
      'Trunk-based development reduced painful merges',
      'Formatting everything at once caused conflicts in every open PR',
    ],
  },
  {
    query: 'API clients break whenever we change a response field',
    notes: [
      'Version the API and keep old fields until consumers migrate',
      'Contract tests catch breaking changes to the payload',
      'Renaming a JSON property broke the mobile app in the store',
      'Add fields, never remove them, in a public interface',
    ],
  },
  {
    query: 'images make the page heavy',
    notes: [
      'Serve WebP and resize pictures to the displayed size',
      'Lazy-load photos below the fold',
      'Uncompressed PNG hero banners weighed 4 MB',
      'Responsive srcset delivers smaller files to phones',
    ],
  },
  {
    query: 'sessions lost when a load balancer switches nodes',
    notes: [
      'Store session state in Redis instead of process memory',
      'Sticky sessions hid the problem until a node restarted',
      'Stateless tokens avoid server-side session affinity',
      'Users were logged out because each instance kept its own cookie store',
    ],
  },
  {
    query: 'the documentation no longer matches the code',
    notes: [
      'Generate reference docs from the source so they cannot drift',
      'Run README examples as tests in CI',
      'Outdated wiki pages described flags that were removed',
      'Doc comments next to the function stay current longer',
    ],
  },
  {
    query: 'too many alerts wake the on-call engineer for nothing',
    notes: [
      'Alert fatigue: page only on symptoms users feel',
      'Tune thresholds so noisy monitors stop firing at night',
      'Route warnings to a ticket queue rather than the pager',
      'Most pages were flapping disk checks; we removed them',
    ],
  },
  {
    query: 'a restart fixes it but the problem comes back days later',
    notes: [
      'Slow resource exhaustion, like file descriptors, only shows after uptime',
      'Handles were never closed, so the limit was reached after a week',
      'A periodic reboot masked a connection leak',
      'Socket count creeps up until the daemon refuses new work',
    ],
  },
  {
    query: 'big uploads fail halfway',
    notes: [
      'Use resumable chunked transfers for large files',
      'The proxy body size limit rejected files over 10 MB',
      'Multipart uploads to S3 survive flaky networks',
      'Nginx client_max_body_size was too small for videos',
    ],
  },
  {
    query: 'people in other countries see wrong date formats',
    notes: [
      'Format dates with Intl and the user locale',
      'Americans read 03/04 as March, Europeans as April',
      'Localisation of numbers and dates belongs in the view',
      'Hard-coded MM/DD confused customers in Germany',
    ],
  },
  {
    query: 'the recommendation model got worse after deployment',
    notes: [
      'Training-serving skew: features were computed differently in production',
      'Data drift lowered accuracy weeks after release',
      'Monitor prediction quality, not only latency, for ML services',
      'The offline metric was fine but live click-through fell',
    ],
  },
  {
    query: 'threads occasionally wait on each other forever',
    notes: [
      'A deadlock came from acquiring two locks in opposite order',
      'Always take mutexes in a fixed global order',
      'The program hung because two goroutines each held what the other needed',
      'Lock timeouts help detect circular waiting',
    ],
  },
  {
    query: 'running out of database connections',
    notes: [
      'Size the pool to what the server allows and release clients promptly',
      'Too many max_connections errors under load from unpooled clients',
      'Use PgBouncer in front of Postgres for many short requests',
      'A leaked client per request exhausted the pool',
    ],
  },
  {
    query: 'backups existed but restoring them failed',
    notes: [
      'Test restores regularly; an untested backup is not a backup',
      'The dump was corrupt and nobody noticed until recovery was needed',
      'Practise disaster recovery drills each quarter',
      'Snapshots missed the WAL segments needed for consistency',
    ],
  },
  {
    query: 'configuration differs between staging and production',
    notes: [
      'Keep environment settings in version control and diff them',
      'A flag enabled only in prod caused behaviour nobody could reproduce',
      'Twelve-factor: config in environment variables with the same schema',
      'Parity between environments avoids release surprises',
    ],
  },
  {
    query: 'the page jumps around while loading',
    notes: [
      'Reserve space for images to avoid cumulative layout shift',
      'Ads inserted late pushed the content down',
      'Set width and height attributes so the browser can plan the layout',
      'Fonts swapping in caused text to reflow',
    ],
  },
  {
    query: 'customers complain the app is in the wrong language',
    notes: [
      'Respect the Accept-Language header for the initial locale',
      'Translations were missing so English strings showed up',
      'Let users pick their language and remember it',
      'i18n keys fell back to defaults when a bundle failed to load',
    ],
  },
  {
    query: 'git history is full of huge binary files',
    notes: [
      'Use Git LFS for large assets instead of committing them',
      'Clones took an hour because of checked-in videos',
      'Rewrite history to drop the old design archives',
      'Keep generated artefacts out of the repository',
    ],
  },
  {
    query: 'code review takes days to get attention',
    notes: [
      'Smaller pull requests get reviewed faster',
      'Assign reviewers automatically with a CODEOWNERS file',
      'PRs over a thousand lines sat untouched for a week',
      'Agree on a response-time norm for reviews within the team',
    ],
  },
  {
    query: 'random numbers repeat in every test run',
    notes: [
      'Seed the generator explicitly so simulations are reproducible',
      'Math.random cannot be seeded; use a PRNG like mulberry32',
      'Deterministic fixtures need a fixed seed, logged on failure',
      'Property tests print the seed so a failure can be replayed',
    ],
  },
  {
    query: 'the font looks blurry on some monitors',
    notes: [
      'Subpixel antialiasing differs across operating systems',
      'Fractional scaling on Linux made text fuzzy',
      'Use hinted typefaces for small UI sizes',
      'High-DPI displays need the @2x assets',
    ],
  },
  {
    query: 'wifi drops whenever the microwave runs',
    notes: [
      '2.4 GHz networks suffer interference from kitchen appliances',
      'Move the router or switch to the 5 GHz band',
      'The wireless signal cut out during lunch because of the oven',
      'Change the channel to avoid interference at home',
    ],
  },
  {
    query: 'webhooks from the partner arrive out of order',
    notes: [
      'Use event timestamps or sequence numbers to reorder notifications',
      'Do not assume delivery order for callbacks',
      'An update event was processed before the create event',
      'Store the latest version and ignore stale callbacks',
    ],
  },
  {
    query: 'the cron task silently stopped running',
    notes: [
      'Add a dead man switch that alerts when a scheduled job misses its run',
      'The crontab was lost when the server was rebuilt',
      'Scheduled tasks need monitoring of last success time',
      'Nightly jobs failed for a month before anyone noticed',
    ],
  },
];

const SUBJECTS = [
  'the release checklist',
  'the changelog',
  'the billing module',
  'the admin panel',
  'the CLI help text',
  'the analytics dashboard',
  'the onboarding survey',
  'the design tokens',
  'the invoice template',
  'the feature flag list',
  'the sprint board',
  'the team calendar',
  'the roadmap document',
  'the icon set',
  'the style guide',
  'the licence file',
  'the contributor guide',
  'the issue templates',
  'the sample config',
  'the demo video',
  'the marketing page',
  'the pricing table',
  'the support macros',
  'the status page',
  'the glossary',
  'the architecture diagram',
  'the quarterly report',
  'the retro notes',
  'the hiring rubric',
  'the interview questions',
];
const ACTIONS = [
  'was reorganised',
  'got a new section',
  'was translated',
  'was reviewed by product',
  'was moved to the wiki',
  'now has an owner',
  'was shortened',
  'was split in two',
  'was archived',
  'got fresh screenshots',
  'was renamed',
  'now links to the handbook',
  'was approved by legal',
  'was updated for the new brand',
  'was proofread',
  'has a clearer title',
  'was merged with the old one',
  'now uses the shared template',
  'was printed for the offsite',
  'was presented at the all-hands',
];
const REASONS = [
  'after feedback from sales',
  'because the team asked for it',
  'before the quarterly planning',
  'to match the new brand colours',
  'as part of spring cleaning',
  'following the reorganisation',
  'for the partner announcement',
  'ahead of the conference',
  'to help the new designers',
  'so managers can find it',
  'on request of the founder',
  'after the customer workshop',
];
const CONTEXTS = ['in week', 'during sprint', 'on day', 'in cycle', 'for milestone', 'in batch'];

/** `n` distinct distractor notes (deterministic for a seed). */
export function distractors(n: number, seed = 7): string[] {
  const rnd = mulberry32(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
  const out = new Set<string>();
  let i = 0;
  while (out.size < n) {
    i += 1;
    const s = pick(SUBJECTS);
    out.add(`${s[0]!.toUpperCase()}${s.slice(1)} ${pick(ACTIONS)} ${pick(REASONS)} (${pick(CONTEXTS)} ${1 + (i % 97)}).`);
  }
  return [...out];
}

/** Words of a text for the overlap figure: lower-case letter/digit runs, minus a short stop-word list. */
const STOP = new Set(
  'a an the and or of to in on for is are was were be by it its as at so not no with from into this that than then we our you your they their he she i my me each every after before when while until'.split(
    ' ',
  ),
);
export function contentWords(text: string): Set<string> {
  return new Set((text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter((w) => !STOP.has(w)));
}
