-- What the last read of a feed found and did with each entry (new, updated, unchanged,
-- skipped, refused, undated, too old to alert; JSON, written by bot.feeds): shown to
-- editors in /feeds and in the failing and recovered notices.
ALTER TABLE feeds ADD COLUMN last_counts TEXT;
