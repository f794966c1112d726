-- A language chosen with /language (1) sticks: a private chat's language no longer follows
-- its user's Telegram language at each message, and a group's choice is its admins'.
ALTER TABLE chats ADD COLUMN language_chosen INTEGER NOT NULL DEFAULT 0;

-- The numbered list a chat was shown last (/latest, a topic's, an author's, a search), as
-- "first number:id,id,…", so that "/article 1" opens the list's first article, not an id.
ALTER TABLE chats ADD COLUMN last_list TEXT NOT NULL DEFAULT '';
