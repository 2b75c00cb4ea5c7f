-- Which process is creating a workspace's tracking issue, and since when. Replicas that hear
-- of the same workspace at once (an install delivered to one, a command to another) would
-- otherwise both find no labelled issue and both create one. A claim older than two minutes
-- is a process that died mid-way.
alter table workspaces add column if not exists tracking_claimed_at timestamptz;
