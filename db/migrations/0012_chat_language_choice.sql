-- A language chosen with /language (1) sticks: a private chat's language no longer follows
-- its user's Telegram language at each message, and a group's choice is its admins'.
ALTER TABLE chats ADD COLUMN language_chosen INTEGER NOT NULL DEFAULT 0;
