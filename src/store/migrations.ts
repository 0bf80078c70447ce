import type { Db } from './db.ts';

/**
 * Versioned schema. Append new entries; never edit one that has shipped.
 * Applied in order at start, each in its own transaction, under an advisory
 * lock so several nodes starting against one PostgreSQL do not race.
 */
export const MIGRATIONS: { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'admin plane',
    sql: `
create table organizations (
  id text primary key,
  name text not null unique,
  domain text,
  operator boolean not null default false,
  created_at timestamptz not null default now()
);
create unique index organizations_one_operator on organizations (operator) where operator;
create table org_settings (
  org_id text primary key references organizations(id) on delete cascade,
  settings jsonb not null default '{}'
);
create table bridges (
  id text primary key,
  org_id text not null references organizations(id) on delete cascade,
  name text not null,
  region text,
  is_default boolean not null default false,
  default_service_number text,
  created_at timestamptz not null default now(),
  unique (org_id, name)
);
create unique index bridges_one_default on bridges (org_id) where is_default;
create table service_numbers (
  number text primary key,
  org_id text not null references organizations(id) on delete cascade,
  bridge_id text references bridges(id) on delete set null,
  type text not null check (type in ('Toll', 'TollFree')),
  city text not null,
  country text,
  shared boolean not null default false,
  primary_language text not null,
  secondary_languages jsonb not null default '[]',
  created_at timestamptz not null default now()
);
create index service_numbers_bridge on service_numbers (bridge_id);
alter table bridges add constraint bridges_default_number
  foreign key (default_service_number) references service_numbers(number);
create table users (
  id text primary key,
  org_id text not null references organizations(id) on delete cascade,
  upn text not null unique,
  display_name text not null,
  usage_location text,
  email text not null,
  sip_address text not null,
  licenses jsonb not null default '[]',
  provider text not null default 'None' check (provider in ('None', 'BuiltIn', 'ThirdParty')),
  conference_id text unique,
  pin_hash text,
  bridge_id text references bridges(id),
  service_number text references service_numbers(number),
  toll_free_service_number text references service_numbers(number),
  allow_pstn_only_meetings boolean not null default false,
  allow_toll_free_dial_in boolean not null default true,
  created_at timestamptz not null default now()
);
create index users_org_name on users (org_id, display_name);
create table conference_ids (
  id text primary key,
  org_id text not null references organizations(id) on delete cascade,
  kind text not null check (kind in ('static', 'meeting')),
  owner_id text not null,
  state text not null check (state in ('active', 'quarantined')),
  released_at timestamptz
);
create table user_acp (
  user_id text primary key references users(id) on delete cascade,
  name text not null,
  domain text,
  toll_number text not null,
  toll_free_numbers jsonb not null default '[]',
  participant_passcode text not null,
  url text
);
create table api_tokens (
  id text primary key,
  org_id text not null references organizations(id) on delete cascade,
  name text not null,
  hash text not null unique,
  created_at timestamptz not null default now(),
  last_used_at timestamptz,
  revoked_at timestamptz
);
create table audit_log (
  id bigserial primary key,
  org_id text not null,
  at timestamptz not null default now(),
  actor text not null,
  action text not null,
  target text,
  field text,
  old_value text,
  new_value text
);
create index audit_log_org_at on audit_log (org_id, id desc);
`,
  },
  {
    version: 2,
    name: 'webhooks and call records',
    sql: `
create table webhooks (
  id text primary key,
  org_id text not null references organizations(id) on delete cascade,
  url text not null,
  secret text not null,
  events jsonb not null default '[]',
  enabled boolean not null default true,
  created_at timestamptz not null default now()
);
create index webhooks_org on webhooks (org_id);
create table webhook_deliveries (
  id text primary key,
  webhook_id text not null references webhooks(id) on delete cascade,
  event_seq bigint not null,
  event_type text not null,
  payload jsonb not null,
  attempts integer not null default 0,
  next_attempt_at timestamptz not null default now(),
  state text not null default 'pending' check (state in ('pending', 'delivered', 'failed')),
  last_status integer,
  last_error text,
  created_at timestamptz not null default now(),
  delivered_at timestamptz
);
create index webhook_deliveries_due on webhook_deliveries (next_attempt_at) where state = 'pending';
create index webhook_deliveries_webhook on webhook_deliveries (webhook_id, created_at desc);
create table call_records (
  call_id text primary key,
  org_id text references organizations(id) on delete cascade,
  dialled text not null,
  caller text not null,
  started_at timestamptz not null,
  ended_at timestamptz,
  duration_ms integer,
  end_reason text,
  meeting_id text,
  organizer_id text,
  role text check (role in ('leader', 'attendee')),
  joined_at timestamptz
);
create index call_records_org_started on call_records (org_id, started_at desc);
create index call_records_meeting on call_records (meeting_id);
`,
  },
  {
    version: 3,
    name: 'organization prompts',
    sql: `
create table prompt_overrides (
  org_id text not null references organizations(id) on delete cascade,
  lang text not null,
  prompt_id text not null,
  pcm bytea not null,
  samples integer not null,
  uploaded_by text not null,
  uploaded_at timestamptz not null default now(),
  primary key (org_id, lang, prompt_id)
);
`,
  },
  {
    version: 4,
    name: 'meetings',
    sql: `
create table meetings (
  id text primary key,
  org_id text not null references organizations(id) on delete cascade,
  organizer_id text not null references users(id) on delete cascade,
  subject text not null,
  starts_at timestamptz not null,
  ends_at timestamptz not null,
  time_zone text not null,
  conference_id text not null,
  id_kind text not null check (id_kind in ('static', 'meeting')),
  announce_entry_exit boolean,
  allow_pstn_only boolean,
  state text not null default 'scheduled' check (state in ('scheduled', 'cancelled')),
  sequence integer not null default 0,
  dial_in boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index meetings_organizer on meetings (organizer_id, starts_at);
create index meetings_org_starts on meetings (org_id, starts_at);
create unique index meetings_live_id on meetings (conference_id) where id_kind = 'meeting' and state = 'scheduled';
`,
  },
  {
    version: 5,
    name: 'email outbox',
    sql: `
create table email_outbox (
  id text primary key,
  seq bigserial not null,
  org_id text not null references organizations(id) on delete cascade,
  user_id text,
  kind text not null,
  from_address text,
  from_name text,
  to_address text not null,
  subject text not null,
  text_body text not null,
  html_body text not null,
  data jsonb not null,
  secret text,
  state text not null default 'pending' check (state in ('pending', 'sent', 'failed', 'superseded')),
  attempts integer not null default 0,
  next_attempt_at timestamptz not null default now(),
  lease_until timestamptz,
  last_error text,
  message_id text,
  created_at timestamptz not null default now(),
  sent_at timestamptz
);
create index email_outbox_due on email_outbox (next_attempt_at) where state = 'pending';
create index email_outbox_org on email_outbox (org_id, seq desc);
`,
  },
  {
    version: 6,
    name: 'meeting migrations',
    sql: `
create table meeting_migrations (
  id text primary key,
  org_id text not null references organizations(id) on delete cascade,
  user_id text not null references users(id) on delete cascade,
  trigger text not null,
  state text not null default 'Pending' check (state in ('Pending', 'InProgress', 'Succeeded', 'Failed')),
  attempts integer not null default 0,
  reason text,
  meetings_total integer not null default 0,
  meetings_migrated integer not null default 0,
  next_attempt_at timestamptz not null default now(),
  lease_until timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index meeting_migrations_due on meeting_migrations (next_attempt_at) where state in ('Pending', 'InProgress');
create index meeting_migrations_org on meeting_migrations (org_id, created_at desc);
`,
  },
  {
    version: 7,
    name: 'admin center: accounts, sessions, users directory',
    sql: `
create table admin_accounts (
  id text primary key,
  org_id text not null references organizations(id) on delete cascade,
  username text not null unique,
  password_hash text not null,
  disabled boolean not null default false,
  created_at timestamptz not null default now(),
  last_sign_in_at timestamptz
);
create index admin_accounts_org on admin_accounts (org_id, username);
create table admin_sessions (
  id_hash text primary key,
  org_id text not null references organizations(id) on delete cascade,
  kind text not null check (kind in ('account', 'token')),
  account_id text references admin_accounts(id) on delete cascade,
  token_id text references api_tokens(id) on delete cascade,
  name text not null,
  csrf_token text not null,
  created_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  expires_at timestamptz not null,
  check ((kind = 'account') = (account_id is not null) and (kind = 'token') = (token_id is not null))
);
create index admin_sessions_expires on admin_sessions (expires_at);
create index admin_sessions_account on admin_sessions (account_id);
create index admin_sessions_token on admin_sessions (token_id);
alter table users
  add column dir_provider text,
  add column dir_conference_id text,
  add column dir_toll_number text,
  add column dir_search text not null default '',
  add column dir_licensed boolean generated always as (licenses <> '[]'::jsonb) stored;
create function users_directory_columns() returns trigger language plpgsql as $$
declare
  toll_free text;
begin
  new.dir_provider := null;
  new.dir_conference_id := null;
  new.dir_toll_number := null;
  toll_free := null;
  if new.provider = 'BuiltIn' then
    new.dir_provider := 'BuiltIn';
    new.dir_conference_id := new.conference_id;
    new.dir_toll_number := new.service_number;
    toll_free := new.toll_free_service_number;
  elsif new.provider = 'ThirdParty' then
    select a.name, a.participant_passcode, a.toll_number, a.toll_free_numbers::text
      into new.dir_provider, new.dir_conference_id, new.dir_toll_number, toll_free
      from user_acp a where a.user_id = new.id;
  end if;
  new.dir_search := lower(concat_ws(' ', new.display_name, new.upn, new.email,
    new.dir_conference_id, new.dir_toll_number, toll_free));
  return new;
end $$;
create trigger users_directory before insert or update on users
  for each row execute function users_directory_columns();
create function user_acp_directory() returns trigger language plpgsql as $$
begin
  update users set provider = provider
    where id = case when tg_op = 'DELETE' then old.user_id else new.user_id end;
  return null;
end $$;
create trigger user_acp_directory after insert or update or delete on user_acp
  for each row execute function user_acp_directory();
update users set provider = provider;
create table users_directory_counts (
  id bigserial primary key,
  org_id text not null references organizations(id) on delete cascade,
  provider text not null,
  licensed boolean not null,
  delta bigint not null
);
create index users_directory_counts_org on users_directory_counts (org_id);
insert into users_directory_counts (org_id, provider, licensed, delta)
  select org_id, provider, dir_licensed, count(*) from users group by 1, 2, 3;
create function users_directory_count() returns trigger language plpgsql as $$
begin
  if tg_op = 'INSERT' then
    insert into users_directory_counts (org_id, provider, licensed, delta)
      select org_id, provider, dir_licensed, count(*) from new_rows group by 1, 2, 3;
  elsif tg_op = 'DELETE' then
    -- Not for an organization being deleted: its users go in the cascade, and so do its counts.
    insert into users_directory_counts (org_id, provider, licensed, delta)
      select org_id, provider, dir_licensed, -count(*) from old_rows o
        where exists (select 1 from organizations g where g.id = o.org_id)
        group by 1, 2, 3;
  else
    insert into users_directory_counts (org_id, provider, licensed, delta)
      select org_id, provider, licensed, sum(d) from (
        select org_id, provider, dir_licensed as licensed, 1 as d from new_rows
        union all
        select org_id, provider, dir_licensed, -1 from old_rows) x
      group by 1, 2, 3 having sum(d) <> 0;
  end if;
  return null;
end $$;
create trigger users_directory_count_insert after insert on users
  referencing new table as new_rows
  for each statement execute function users_directory_count();
create trigger users_directory_count_delete after delete on users
  referencing old table as old_rows
  for each statement execute function users_directory_count();
create trigger users_directory_count_update after update on users
  referencing old table as old_rows new table as new_rows
  for each statement execute function users_directory_count();
drop index users_org_name;
create index users_org_name_upn on users (org_id, display_name, upn);
create index users_org_upn on users (org_id, upn);
create index users_org_provider_name on users (org_id, provider, display_name, upn);
create index users_org_licensed_name on users (org_id, dir_licensed, display_name, upn);
create index users_dir_conference_id on users (org_id, dir_conference_id, upn);
create index users_dir_provider on users (org_id, dir_provider, display_name, upn);
create index users_dir_toll_number on users (org_id, dir_toll_number, upn);
do $$
begin
  create extension if not exists pg_trgm;
  execute 'create index users_dir_search on users using gin (dir_search gin_trgm_ops)';
exception when others then
  raise notice 'pg_trgm is not available: the users directory searches without an index (%)', sqlerrm;
end $$
`,
  },
  {
    version: 8,
    name: 'third-party provider CSV imports',
    sql: `
create table provider_imports (
  id text primary key,
  org_id text not null references organizations(id) on delete cascade,
  created_by text not null,
  file_name text,
  csv text not null,
  state text not null check (state in ('validating', 'validated', 'invalid', 'applying', 'applied', 'failed')),
  total integer not null default 0,
  processed integer not null default 0,
  errors jsonb not null default '[]',
  preview jsonb not null default '[]',
  plan jsonb not null default '[]',
  reason text,
  changed_users integer not null default 0,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  applied_at timestamptz
);
create index provider_imports_org on provider_imports (org_id, created_at desc)
`,
  },
  {
    version: 9,
    name: 'provider CSV import summaries',
    sql: `
alter table provider_imports
  add column valid_rows integer not null default 0,
  add column changed_rows integer not null default 0,
  add column bad_rows integer not null default 0;
update provider_imports set
  valid_rows = jsonb_array_length(preview),
  changed_rows = (select count(*) from jsonb_array_elements(preview) p
    where jsonb_array_length(p->'changes') > 0),
  bad_rows = (select count(distinct e->>'line') from jsonb_array_elements(errors) e)
`,
  },
];

export async function migrate(db: Db): Promise<number> {
  await db.query(`create table if not exists schema_migrations (
    version integer primary key, name text not null, applied_at timestamptz not null default now())`);
  let applied = 0;
  for (const m of MIGRATIONS) {
    const done = await db.tx(async (q) => {
      await q.query('select pg_advisory_xact_lock(720341)');
      const rows = await q.query('select 1 from schema_migrations where version = $1', [m.version]);
      if (rows.length) return false;
      for (const stmt of splitStatements(m.sql)) await q.query(stmt);
      await q.query('insert into schema_migrations (version, name) values ($1, $2)', [
        m.version,
        m.name,
      ]);
      return true;
    });
    if (done) applied++;
  }
  return applied;
}

/**
 * Extended-protocol queries take one statement each. Statements end at ';'
 * outside dollar-quoted bodies ($$ … $$, the functions of migration 7); ours
 * never contain ';' inside string literals.
 */
export function splitStatements(sql: string): string[] {
  const out: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < sql.length; i++) {
    if (sql.startsWith('$$', i)) {
      quoted = !quoted;
      i++;
    } else if (sql[i] === ';' && !quoted) {
      out.push(sql.slice(start, i));
      start = i + 1;
    }
  }
  out.push(sql.slice(start));
  return out.map((s) => s.trim()).filter(Boolean);
}
