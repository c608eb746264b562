-- A chat account counts for sending only in a workspace that is connected to its program: the
-- fan-out, the dispatcher's address lookup, the welcome on linking, the weekly pulse's count of
-- creators without an account and `outbox retry` all ask the same question through this view.
CREATE VIEW connected_accounts AS
SELECT ci.*
  FROM chat_identities ci
  JOIN chat_workspaces w ON w.program_id = ci.program_id
                        AND w.platform = ci.platform
                        AND w.workspace_id = ci.workspace_id;
