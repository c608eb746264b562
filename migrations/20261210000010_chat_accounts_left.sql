-- A creator who leaves the Discord server (or is removed from the Slack workspace) keeps their
-- link, so coming back restores it, but nothing is sent to that account while they are away.
ALTER TABLE chat_identities ADD COLUMN left_at TIMESTAMPTZ;

CREATE OR REPLACE VIEW connected_accounts AS
SELECT ci.*
  FROM chat_identities ci
  JOIN chat_workspaces w ON w.program_id = ci.program_id
                        AND w.platform = ci.platform
                        AND w.workspace_id = ci.workspace_id
 WHERE ci.left_at IS NULL;
