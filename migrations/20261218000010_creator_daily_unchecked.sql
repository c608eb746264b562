-- Creator rollups are written in bulk (every creator's day an import brings), and the foreign key
-- to creators cost a locking lookup of the creator per row written: at 145k rows, half the time
-- of the insert. Every row is computed from order lines of the program's own creators in the
-- transaction that wrote them; creators are never deleted one by one, and deleting a program
-- deletes its rollups explicitly.
ALTER TABLE creator_daily DROP CONSTRAINT creator_daily_program_id_creator_id_fkey;
