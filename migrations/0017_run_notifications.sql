-- Run-end notifications to Slack and Discord incoming webhooks (contract §7).

-- The channels configured now (NOTIFY_SLACK_WEBHOOK_URL, NOTIFY_DISCORD_WEBHOOK_URL): the
-- app writes its channels here at start-up and removes the others. Only runs that end while
-- a channel is here are posted to it, so setting a variable does not post every past run.
create table notify_channels (
  channel text primary key check (channel in ('slack', 'discord')),
  enabled_at timestamptz not null default now()
);

-- One message per run end and channel, written in the same transaction that ends the run
-- (the trigger below), so a process killed right after the end loses nothing; sent rows
-- keep `sent_at`, so a message is never sent twice. Claimed with a lease, as run items are.
create table notification_outbox (
  id bigserial primary key,
  run_id bigint not null references backfill_runs (id) on delete cascade,
  channel text not null check (channel in ('slack', 'discord')),
  status text not null default 'pending' check (status in ('pending', 'sent', 'failed')),
  attempts integer not null default 0,
  next_attempt_at timestamptz not null default now(),
  locked_by text,
  locked_until timestamptz,
  -- The message as first composed, so every retry sends the same text.
  message text,
  last_error text,
  created_at timestamptz not null default now(),
  sent_at timestamptz,
  unique (run_id, channel)
);
create index notification_outbox_due on notification_outbox (next_attempt_at)
  where status = 'pending';

-- A trigger rather than a call in the engine: every statement that ends a run (an item's
-- end, a cancel, whatever comes later) enqueues the message atomically with it, and the
-- engine needs to know nothing of notifications.
create function enqueue_run_notifications() returns trigger language plpgsql as $$
begin
  insert into notification_outbox (run_id, channel)
  select new.id, c.channel from notify_channels c
  on conflict (run_id, channel) do nothing;
  return null;
end
$$;

create trigger backfill_runs_notify
  after update of status on backfill_runs
  for each row
  when (old.status in ('pending', 'processing')
        and new.status in ('completed', 'failed', 'cancelled'))
  execute function enqueue_run_notifications();
