-- The web console's sessions and preferences. last_used_at is when a
-- session last answered a request (RFC 3339; '' before its first), for the
-- idle timeout; a user's lang is the console language they chose ('' for
-- the default, zh-CN).
ALTER TABLE api_tokens ADD COLUMN last_used_at TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN lang TEXT NOT NULL DEFAULT '';
