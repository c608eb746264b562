-- The tier-mix chart counts how many creators of each tier joined on each day since a day from
-- the index alone: the join-day index carries the tier.
DROP INDEX creators_program_joined;
CREATE INDEX creators_program_joined ON creators (program_id, joined_on) INCLUDE (tier);
